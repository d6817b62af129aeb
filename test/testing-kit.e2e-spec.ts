import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Socket } from 'socket.io-client';
import type { AppContract, ClientToServerEvents, ServerToClientEvents } from '../src/contract.js';
import type { Envelope } from '../src/core/websocket/index.js';
import {
  collect,
  connect,
  nextEvent,
  request,
  settle,
  signTestToken,
  startTestApp,
  type KnownPushEvent,
  type KnownRequestEvent,
  type Refusal,
  type TestServer,
} from '../src/testing/index.js';
import { loadOptionalPeer } from '../src/core/websocket/infrastructure/optional-peer.js';

// The kit as an app gets it from `nest-realtime/testing`: `npm test` builds dist/ before Jest runs.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const builtKit = join(root, 'dist', 'testing', 'index.js');

/** Runs `node --test` (TAP reporter) on `source`, written to a temporary .mjs file that is removed afterwards; `env` on top of ours. */
async function nodeTest(source: string, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'nest-realtime-kit-'));
  try {
    const file = join(dir, 'kit.test.mjs');
    await writeFile(file, source);
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', file], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const code = await new Promise<number | null>((done, fail) => {
      child.once('error', fail);
      child.once('close', done);
    });
    return { code, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the test kit (nest-realtime/testing)', () => {
  describe('under node:test, built', () => {
    it('answers auth:refresh with a bad token with UNAUTHORIZED, and collect sees nothing after settle', async () => {
      if (!existsSync(builtKit)) throw new Error(`${builtKit} is missing: run \`npm run build\` first (npm test does)`);
      // The kit is the script's first import: it must bring what a Nest app needs (reflect-metadata) itself.
      const { code, output } = await nodeTest(`
import { collect, connect, request, settle, signTestToken, startTestApp } from ${JSON.stringify(pathToFileURL(builtKit).href)};
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('answers auth:refresh with a bad token with UNAUTHORIZED, and pushes nothing after', async () => {
  const server = await startTestApp();
  try {
    const alice = await connect(server.url, signTestToken('alice'));
    const expired = collect(alice, 'session:expired');
    const reply = await request(alice, 'auth:refresh', { token: 'not-a-jwt' });
    assert.equal(reply.ok, false);
    assert.equal(reply.error.code, 'UNAUTHORIZED');
    await settle(alice);
    assert.deepEqual(expired, []);
    alice.disconnect();
  } finally {
    await server.close();
  }
});
`);
      if (code !== 0) throw new Error(`node --test exited with ${code}:\n${output}`);
      expect(output).toMatch(/^# pass 1$/m);
      expect(output).toMatch(/^# fail 0$/m);
    }, 30_000);
  });

  describe('connect', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestApp();
    });
    afterAll(() => server.close());

    it('resolves once session:ready arrived, with a token or with options', async () => {
      const withToken = await connect(server.url, signTestToken('alice'));
      const withOptions = await connect(server.url, { token: signTestToken('bob'), transports: ['polling'] });
      expect([withToken.connected, withOptions.connected]).toEqual([true, true]);
      withToken.disconnect();
      withOptions.disconnect();
    });

    it('rejects with the refusal of a bad token', async () => {
      const refusal: Refusal = await connect(server.url, 'not-a-jwt').then(
        () => Promise.reject(new Error('the handshake was accepted')),
        (error: Refusal) => error,
      );
      expect(refusal.data).toMatchObject({ code: 'UNAUTHORIZED' });
    });

    it('types built-in replies and leaves other events to the caller', async () => {
      const alice = await connect(server.url, signTestToken('alice'));
      const reply = await request(alice, 'auth:refresh', { token: signTestToken('alice') });
      expect(reply).toEqual({ ok: true, data: { expiresAt: expect.any(String) } });
      const unknown = await request<{ id: string }>(alice, 'todo:add', { title: 'milk' });
      expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT' } });
      alice.disconnect();
    });
  });

  describe('Redis helpers', () => {
    it('say redis-server is missing when it is not on the PATH, before starting anything', async () => {
      if (!existsSync(builtKit)) throw new Error(`${builtKit} is missing: run \`npm run build\` first (npm test does)`);
      // In a child with an empty PATH: the kit spawns redis-server with the real process's PATH, which Jest's sandbox cannot change.
      const empty = await mkdtemp(join(tmpdir(), 'nest-realtime-no-redis-'));
      try {
        const { code, output } = await nodeTest(
          `
import { startRedis, startTestCluster } from ${JSON.stringify(pathToFileURL(builtKit).href)};
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('startRedis says redis-server is not on the PATH', async () => {
  await assert.rejects(
    async () => (await startRedis()).stop(),
    { message: /^nest-realtime\\/testing: startRedis needs redis-server, which is not on the PATH; install Redis/ },
  );
});

test('startTestCluster says so before starting a node', async () => {
  let started = 0;
  await assert.rejects(
    startTestCluster(2, async () => {
      started++;
      throw new Error('no node should start');
    }),
    { message: /^nest-realtime\\/testing: startTestCluster needs redis-server, which is not on the PATH/ },
  );
  assert.equal(started, 0);
});
`,
          { PATH: empty },
        );
        if (code !== 0) throw new Error(`node --test exited with ${code}:\n${output}`);
        expect(output).toMatch(/^# pass 2$/m);
      } finally {
        await rm(empty, { recursive: true, force: true });
      }
    }, 30_000);

    it('names an optional peer dependency that is not installed, and how to install it', async () => {
      const name = 'nest-realtime-absent-peer';
      const error = await loadOptionalPeer(name, 'startTestCluster', () => import(name), 'nest-realtime/testing').catch(
        (caught: unknown) => caught,
      );
      expect(error).toEqual(
        expect.objectContaining({
          message: `nest-realtime/testing: startTestCluster needs the optional peer dependency "${name}"; install it with: npm install ${name}`,
        }),
      );
    });

    it('keeps the error of an optional peer that is installed but fails to load', async () => {
      const failure = new Error('ioredis failed to load');
      await expect(loadOptionalPeer('ioredis', 'startTestCluster', () => Promise.reject(failure))).rejects.toBe(failure);
    });
  });
});

// Checked by the compiler (npm run typecheck), never called: what the kit's types promise.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export async function kitTypes(socket: Socket, typed: Socket<ServerToClientEvents, ClientToServerEvents>): Promise<void> {
  const refresh = await request(socket, 'auth:refresh', { token: 'x' });
  const custom = await request<{ id: string }>(socket, 'todo:add', {});
  const other = await request(socket, 'todo:add', {});
  const presence = await nextEvent(socket, 'presence:update');
  const otherPush = await nextEvent(socket, 'todo:added');
  const expired = collect(socket, 'session:expired');
  const checks: [
    Equal<KnownRequestEvent, keyof AppContract['requests'] & string>,
    Equal<KnownPushEvent, keyof AppContract['pushes'] & string>,
    Equal<typeof refresh, Envelope<{ expiresAt: string }>>,
    Equal<typeof custom, Envelope<{ id: string }>>,
    Equal<typeof other, Envelope<unknown>>,
    Equal<typeof presence.status, 'online' | 'away' | 'busy' | 'offline'>,
    Equal<typeof otherPush, unknown>,
    Equal<typeof expired, { expiredAt: string }[]>,
  ] = [true, true, true, true, true, true, true, true];
  void checks;
  // A socket typed with the app's event maps is accepted too.
  await settle(typed);
}

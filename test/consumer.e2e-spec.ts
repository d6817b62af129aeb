import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import { io, type Socket } from 'socket.io-client';
import ts from 'typescript';
import { startRedis, type TestRedis } from './support/redis-server.js';

// The package where its users meet it: packed as `npm publish` would pack it,
// installed with a real `npm install` into a fresh ESM Nest 12 app
// (test/consumer/app), built with that app's own tsc, started with node and
// driven over the wire. Nothing here reads ./dist or src/: the package is
// compiled into a temporary folder, and the app sees only the tarball.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtureSource = join(root, 'test', 'consumer', 'app');
interface Manifest {
  name: string;
  version: string;
  exports: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const SECRET = 'consumer-e2e-secret-that-is-at-least-32-bytes-long';
const MAX_TARBALL_BYTES = 250_000;
/** What `~12.0.0` pins on the older fixture; `npm view` checks each exists. */
const OLDER_NEST: Record<string, string> = {
  '@nestjs/common': '~12.0.0',
  '@nestjs/core': '~12.0.0',
  '@nestjs/platform-express': '~12.0.0',
  '@nestjs/websockets': '~12.0.0',
  '@nestjs/platform-socket.io': '~12.0.0',
  '@nestjs/event-emitter': '~12.0.0',
  '@nestjs/jwt': '~12.0.0',
  zod: '~4.0.0',
};

// ---------------------------------------------------------------------------
// Child processes and temp folders: every one is tracked and ended in afterAll.

const children = new Set<ChildProcess>();
const sockets = new Set<Socket>();
let work: string | undefined;
/** Set by afterAll: a step that would start now fails at once instead. */
let stopping = false;

function track<C extends ChildProcess>(child: C): C {
  if (stopping) {
    child.kill('SIGKILL');
    return child;
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * The environment a user's shell would give: without npm's lifecycle variables
 * (Jest may run under `npm test`, whose npm_config_* would steer the child npm)
 * and without this repo's node_modules/.bin on PATH (so `npx tsc` is the app's).
 */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'INIT_CWD' || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.includes(`node_modules${posix.sep}.bin`) && !entry.includes('node_modules\\.bin'))
    .join(delimiter);
  return { ...env, ...extra };
}

const tail = (text: string, lines = 40): string => text.trimEnd().split('\n').slice(-lines).join('\n');

interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command (no shell) and fails with the step's name, the command and its output. */
function run(
  step: string,
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? cleanEnv(),
        timeout: options.timeoutMs ?? 180_000,
        maxBuffer: 64 * 1024 * 1024,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        if (!error) return resolvePromise({ stdout, stderr });
        const how = error.killed ? 'was killed (timeout?)' : `exited with ${String(error.code)}`;
        const failure = new Error(
          `${step} failed: \`${command} ${args.join(' ')}\` in ${options.cwd} ${how}\n` +
            `--- stderr ---\n${tail(String(stderr))}\n--- stdout ---\n${tail(String(stdout))}`,
        );
        reject(Object.assign(failure, { stdout: String(stdout), stderr: String(stderr) }));
      },
    );
    track(child);
  });
}

// ---------------------------------------------------------------------------
// The tarball.

interface Packed {
  tarball: string;
  bytes: number;
  /** Tarball entries, `package/...`. */
  entries: string[];
  /** The folder it was packed from (the same files as the tarball). */
  packageDir: string;
}

async function packPackage(dir: string): Promise<Packed> {
  const packageDir = join(dir, 'package');
  await mkdir(packageDir, { recursive: true });
  await run(
    'compiling the package (tsconfig.build.json into a temp outDir)',
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', join(packageDir, 'dist')],
    { cwd: root },
  );
  for (const file of ['package.json', 'README.md', 'LICENSE']) await copyFile(join(root, file), join(packageDir, file));
  const { stdout } = await run('npm pack', 'npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], { cwd: packageDir });
  const [report] = JSON.parse(stdout) as { filename: string }[];
  const tarball = join(dir, report.filename);
  const { stdout: listing } = await run('listing the tarball', 'tar', ['tzf', tarball], { cwd: dir });
  const entries = listing
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return { tarball, bytes: (await stat(tarball)).size, entries, packageDir };
}

/** Every file target of an `exports` map (conditions and subpaths, nested). */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (Array.isArray(exports)) return exports.flatMap(exportTargets);
  if (exports && typeof exports === 'object') return Object.values(exports).flatMap(exportTargets);
  return [];
}

// ---------------------------------------------------------------------------
// The fixture app.

interface Fixture {
  name: string;
  dir: string;
  /** `npm ls @nestjs/core --all --parseable`, one path a line. */
  nestCorePaths: string[];
  /** `npm ls socket.io --all --parseable`, likewise. */
  socketIoPaths: string[];
  nestCoreVersion: string;
}

interface FixtureOptions {
  name: string;
  tarball: string;
  /** Dependency ranges that replace the template's. */
  pins?: Record<string, string>;
}

async function prepareFixture({ name, tarball, pins = {} }: FixtureOptions): Promise<Fixture> {
  const dir = join(work!, name);
  await cp(fixtureSource, dir, { recursive: true, filter: (source) => !/[\\/](node_modules|dist)$/.test(source) });
  const fixtureManifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const dependencies = { ...fixtureManifest.dependencies, ...pins };
  // As the README tells an app: socket.io at exactly the version its @nestjs/platform-socket.io pins, so there is one copy.
  const pinned = await run(
    `[${name}] npm view socket.io pin`,
    'npm',
    ['view', `@nestjs/platform-socket.io@${dependencies['@nestjs/platform-socket.io']}`, 'dependencies', '--json'],
    { cwd: dir },
  );
  // One object for one matching version, an array of them (oldest first) for several.
  const socketIo = [JSON.parse(pinned.stdout) as Record<string, string> | Record<string, string>[]].flat().at(-1)!['socket.io']!;
  fixtureManifest.dependencies = { ...dependencies, 'socket.io': socketIo, 'nest-realtime': `file:${tarball}` };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(fixtureManifest, null, 2)}\n`);

  await run(`[${name}] npm install`, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir });
  const { stdout } = await run(`[${name}] npm ls @nestjs/core`, 'npm', ['ls', '@nestjs/core', '--all', '--parseable'], { cwd: dir });
  const nestCorePaths = stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes('node_modules'));
  const listed = await run(`[${name}] npm ls socket.io`, 'npm', ['ls', 'socket.io', '--all', '--parseable'], { cwd: dir });
  const socketIoPaths = listed.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes('node_modules'));
  const nestCoreVersion = (
    JSON.parse(await readFile(join(dir, 'node_modules', '@nestjs', 'core', 'package.json'), 'utf8')) as { version: string }
  ).version;

  await run(`[${name}] the app's build (npx tsc -p .)`, 'npx', ['--no', '--', 'tsc', '-p', '.'], { cwd: dir });
  return { name, dir, nestCorePaths, socketIoPaths, nestCoreVersion };
}

interface RunningApp {
  url: string;
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, then SIGKILL after 5 s; resolves with how it ended. */
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node dist/main.js` of a fixture with PORT=0, its output kept as it comes. */
function spawnApp(fixture: Fixture, env: Record<string, string>): { child: ChildProcess; output: { stdout: string; stderr: string } } {
  const child = track(
    spawn(process.execPath, ['dist/main.js'], {
      cwd: fixture.dir,
      env: cleanEnv({ PORT: '0', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const output = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  return { child, output };
}

/** `node dist/main.js` with PORT=0; resolves once it printed `listening on <port>`. */
function startApp(fixture: Fixture, env: Record<string, string>, timeoutMs = 30_000): Promise<RunningApp> {
  const { child, output } = spawnApp(fixture, env);
  const stop = async (): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    return { code: child.exitCode, signal: child.signalCode };
  };
  return new Promise((resolvePromise, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop();
      reject(
        new Error(
          `[${fixture.name}] starting the app (node dist/main.js) ${why}\n--- stderr ---\n${tail(output.stderr)}\n--- stdout ---\n${tail(output.stdout)}`,
        ),
      );
    };
    const timer = setTimeout(() => fail(`printed no "listening on" within ${timeoutMs} ms`), timeoutMs);
    const early = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited (${code ?? signal}) before listening`);
    child.once('exit', early);
    child.stdout!.on('data', () => {
      const match = /listening on (\d+)/.exec(output.stdout);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', early);
      resolvePromise({ url: `http://127.0.0.1:${match[1]}`, child, stdout: () => output.stdout, stderr: () => output.stderr, stop });
    });
  });
}

/** Runs the app to its end; for a start-up that must fail. */
function runAppToExit(
  fixture: Fixture,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }> {
  const { child, output } = spawnApp(fixture, env);
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `[${fixture.name}] the app was expected to stop by itself but ran for ${timeoutMs} ms\n--- stderr ---\n${tail(output.stderr)}\n--- stdout ---\n${tail(output.stdout)}`,
        ),
      );
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, ...output });
    });
  });
}

// ---------------------------------------------------------------------------
// Wire helpers, with the repo's own socket.io-client and jsonwebtoken.

function token(userId: string, claims: Record<string, unknown> = {}, secret = SECRET): string {
  return jwt.sign({ sub: userId, ...claims }, secret, { algorithm: 'HS256', expiresIn: '1h' });
}

function open(url: string, authToken: string): Socket {
  const socket = io(url, { auth: { token: authToken }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.add(socket);
  return socket;
}

/** Resolves once `session:ready` arrived; rejects with the `connect_error`. */
function connect(
  url: string,
  authToken: string,
): Promise<{ socket: Socket; session: { userId: string; socketId: string; expiresAt: string } }> {
  const socket = open(url, authToken);
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('no session:ready nor connect_error within 5 s')), 5000);
    socket.once('session:ready', (session) => {
      clearTimeout(timer);
      resolvePromise({ socket, session });
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The `connect_error` of a refused handshake. */
function refusal(url: string, authToken: string): Promise<Error & { data?: { code?: string } }> {
  const socket = open(url, authToken);
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('no connect_error within 5 s')), 5000);
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      resolvePromise(error);
    });
    socket.once('session:ready', () => {
      clearTimeout(timer);
      reject(new Error('the handshake was accepted'));
    });
  });
}

type Envelope<T = any> = { ok: true; data: T } | { ok: false; error: { code: string; message: string; details?: unknown } };

function request<T = any>(socket: Socket, event: string, body: unknown): Promise<Envelope<T>> {
  return socket.timeout(5000).emitWithAck(event, body);
}

function nextEvent<T = any>(socket: Socket, event: string, ms = 5000): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no "${event}" within ${ms} ms`));
    }, ms);
    const on = (payload: T) => {
      clearTimeout(timer);
      resolvePromise(payload);
    };
    socket.once(event, on);
  });
}

/** A push matching `accept`, skipping the others (e.g. an `online` update before the `offline` one). */
function eventWhere<T = any>(socket: Socket, event: string, accept: (payload: T) => boolean, ms = 5000): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const seen: T[] = [];
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no matching "${event}" within ${ms} ms; got ${JSON.stringify(seen)}`));
    }, ms);
    const on = (payload: T) => {
      seen.push(payload);
      if (!accept(payload)) return;
      clearTimeout(timer);
      socket.off(event, on);
      resolvePromise(payload);
    };
    socket.on(event, on);
  });
}

function closeSockets(): void {
  for (const socket of sockets) socket.disconnect();
  sockets.clear();
}

/** Must run even when prepare failed, and never leave an unhandled rejection behind. */
function settled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

// ---------------------------------------------------------------------------

let packed: Packed;
/** The package.json that went into the tarball. */
const manifest = (): Manifest => JSON.parse(readFileSync(join(packed.packageDir, 'package.json'), 'utf8')) as Manifest;
let current: Promise<Fixture>;
let older: Promise<Fixture>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nest-realtime-consumer-'));
  const packing = settled(packPackage(work));
  // Both fixtures install and build side by side while the tests of the first run;
  // if packing fails, so do they, with its message.
  current = settled(packing.then(({ tarball }) => prepareFixture({ name: 'nest12-current', tarball })));
  older = settled(
    packing.then(async ({ tarball }) => {
      const missing: string[] = [];
      await Promise.all(
        Object.entries(OLDER_NEST).map(async ([name, range]) => {
          const { stdout } = await run(`npm view ${name}@${range}`, 'npm', ['view', `${name}@${range}`, 'version', '--json'], {
            cwd: work!,
            timeoutMs: 60_000,
          });
          if (!stdout.trim()) missing.push(`${name}@${range}`);
        }),
      );
      if (missing.length > 0) throw new Error(`no published version for ${missing.join(', ')}`);
      return prepareFixture({ name: 'nest12.0', tarball, pins: OLDER_NEST });
    }),
  );
  packed = await packing;
}, 120_000);

afterAll(async () => {
  stopping = true;
  closeSockets();
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await Promise.allSettled([current, older]);
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

/** The specifiers a packed .js or .d.ts file imports (static, dynamic, `import("…")` types, references). */
function importsOf(entry: string): string[] {
  const text = readFileSync(join(dirname(packed.packageDir), entry), 'utf8');
  const { importedFiles, referencedFiles, typeReferenceDirectives } = ts.preProcessFile(text, true, true);
  return [
    ...importedFiles.map((ref) => ref.fileName),
    ...referencedFiles.map((ref) => (/^\.{1,2}\//.test(ref.fileName) ? ref.fileName : `./${ref.fileName}`)),
    // `/// <reference types="x" />` needs @types/x, or x's own types; "node" is node's.
    ...typeReferenceDirectives.map((ref) => ref.fileName).filter((name) => name !== 'node'),
  ];
}

const codeEntries = (): string[] => packed.entries.filter((entry) => entry.endsWith('.js') || entry.endsWith('.d.ts'));

describe('the packed tarball', () => {
  it(`is under ${MAX_TARBALL_BYTES / 1000} kB`, () => {
    expect(packed.bytes).toBeLessThan(MAX_TARBALL_BYTES);
  });

  it('holds no bench/, test/, *.spec.* or *.map file', () => {
    const unwanted = packed.entries.filter((entry) => /(^|\/)(bench|test)\//.test(entry) || /\.spec\./.test(entry) || /\.map$/.test(entry));
    expect(unwanted).toEqual([]);
  });

  it('holds every target of package.json exports', () => {
    const targets = exportTargets(manifest().exports);
    expect(targets.length).toBeGreaterThan(0);
    const missing = targets.filter((target) => !packed.entries.includes(posix.join('package', target)));
    expect(missing).toEqual([]);
  });

  it('resolves every relative import of its .js and .d.ts files inside the tarball', () => {
    const inTarball = new Set(packed.entries);
    const broken: string[] = [];
    for (const entry of codeEntries()) {
      const isDeclaration = entry.endsWith('.d.ts');
      for (const fileName of importsOf(entry)) {
        if (!/^\.{1,2}\//.test(fileName)) continue;
        const target = posix.normalize(posix.join(posix.dirname(entry), fileName));
        const candidates = isDeclaration ? [target.replace(/\.js$/, '.d.ts'), target] : [target];
        if (!candidates.some((candidate) => inTarball.has(candidate))) broken.push(`${entry} imports ${fileName}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('imports, in code and in declarations, only node built-ins and packages its package.json declares', () => {
    // A package reached only through another's hoisting is missing under pnpm or Yarn PnP, and
    // a declaration's missing import silently turns its types into `any` under skipLibCheck.
    const { dependencies, peerDependencies, optionalDependencies } = manifest();
    const declared = new Set(Object.keys({ ...dependencies, ...peerDependencies, ...optionalDependencies }));
    const packageOf = (specifier: string): string =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/');
    const undeclared = new Set<string>();
    for (const entry of codeEntries()) {
      for (const specifier of importsOf(entry)) {
        if (/^\.{1,2}\//.test(specifier) || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
        if (!declared.has(packageOf(specifier))) undeclared.add(`${entry} imports ${specifier}`);
      }
    }
    expect([...undeclared].sort()).toEqual([]);
  });
});

/**
 * Starts a fixture's app (with `env` on top of JWT_SECRET) before the describe block's tests and stops it after;
 * its sockets are closed after each test.
 */
function whileRunning(prepared: () => Promise<Fixture>, env: Record<string, string> = {}): { fixture: Fixture; app: RunningApp } {
  const running = {} as { fixture: Fixture; app: RunningApp };
  beforeAll(async () => {
    running.fixture = await prepared();
    running.app = await startApp(running.fixture, { JWT_SECRET: SECRET, ...env });
  }, 240_000);
  afterAll(async () => {
    closeSockets();
    await running.app?.stop();
  }, 30_000);
  afterEach(() => closeSockets());
  return running;
}

describe('an ESM app on the current Nest 12, installed from the tarball', () => {
  const running = whileRunning(() => current);

  it('has one @nestjs/core, one socket.io, and the package as a real folder, not a link', () => {
    expect(running.fixture.nestCorePaths).toEqual([join(running.fixture.dir, 'node_modules', '@nestjs', 'core')]);
    // The app names socket.io at the version @nestjs/platform-socket.io pins, as the README says: one copy.
    expect(running.fixture.socketIoPaths).toEqual([join(running.fixture.dir, 'node_modules', 'socket.io')]);
    const installed = lstatSync(join(running.fixture.dir, 'node_modules', 'nest-realtime'));
    expect(installed.isSymbolicLink()).toBe(false);
    expect(installed.isDirectory()).toBe(true);
    const installedManifest = JSON.parse(
      readFileSync(join(running.fixture.dir, 'node_modules', 'nest-realtime', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(installedManifest.version).toBe(manifest().version);
  });

  it('answers the handshake with session:ready', async () => {
    const { session } = await connect(running.app.url, token('alice'));
    expect(session).toMatchObject({ userId: 'alice', socketId: expect.any(String), expiresAt: expect.any(String) });
  });

  it("todo:add replies { ok: true, data } and pushes todo:added to the user's other socket", async () => {
    // A user of this test alone, so that no socket of another test is counted.
    const { socket: phone } = await connect(running.app.url, token('todo-user'));
    const { socket: laptop } = await connect(running.app.url, token('todo-user'));
    const pushed = nextEvent(laptop, 'todo:added');
    const reply = await request(phone, 'todo:add', { title: 'milk' });
    expect(reply).toEqual({ ok: true, data: { id: expect.any(String), title: 'milk' } });
    expect(await pushed).toEqual((reply as { data: unknown }).data);
    // ConnectionManager, injected into the app's handler, sees both sockets.
    expect(await request(phone, 'todo:devices', {})).toEqual({ ok: true, data: { sockets: 2 } });
  });

  it('todo:add with a bad body answers BAD_REQUEST with details', async () => {
    const { socket } = await connect(running.app.url, token('alice'));
    const reply = await request(socket, 'todo:add', { title: '' });
    expect(reply.ok).toBe(false);
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } });
    const details = (reply as { error: { details?: unknown } }).error.details;
    expect(Array.isArray(details) && details.length > 0).toBe(true);
  });

  it("a handler's RealtimeException answers with its code", async () => {
    const { socket } = await connect(running.app.url, token('alice'));
    expect(await request(socket, 'todo:fail', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('chat: alice sends in lobby, bob gets chat:message', async () => {
    const { socket: alice } = await connect(running.app.url, token('alice', { rooms: ['lobby'] }));
    const { socket: bob } = await connect(running.app.url, token('bob', { rooms: ['lobby'] }));
    expect(await request(alice, 'chat:join', { roomId: 'lobby' })).toEqual({ ok: true, data: { roomId: 'lobby' } });
    expect(await request(bob, 'chat:join', { roomId: 'lobby' })).toEqual({ ok: true, data: { roomId: 'lobby' } });
    const received = nextEvent(bob, 'chat:message');
    const sent = await request(alice, 'chat:send', { roomId: 'lobby', text: 'hello from the tarball' });
    expect(sent).toMatchObject({ ok: true, data: { roomId: 'lobby', userId: 'alice', text: 'hello from the tarball' } });
    expect(await received).toMatchObject({ roomId: 'lobby', userId: 'alice', text: 'hello from the tarball' });
  });

  it('presence: bob sees alice online, then offline after her last socket is gone', async () => {
    const { socket: alice } = await connect(running.app.url, token('alice-presence'));
    const { socket: bob } = await connect(running.app.url, token('bob'));
    const subscribed = await request(bob, 'presence:subscribe', { userIds: ['alice-presence'] });
    expect(subscribed).toMatchObject({ ok: true, data: { presence: [{ userId: 'alice-presence', status: 'online' }] } });
    const offline = eventWhere(bob, 'presence:update', (update: { status: string }) => update.status === 'offline');
    alice.disconnect();
    expect(await offline).toMatchObject({ userId: 'alice-presence', status: 'offline', lastSeenAt: expect.any(String) });
  });

  it('presence: the app’s own visibility policy hides a blocked user as one never seen', async () => {
    const { socket: carol } = await connect(running.app.url, token('carol-presence'));
    const { socket: dave } = await connect(running.app.url, token('dave', { blocked: ['carol-presence'] }));
    const never = { userId: 'carol-presence', status: 'offline', lastSeenAt: null };
    expect(await request(dave, 'presence:query', { userIds: ['carol-presence'] })).toEqual({ ok: true, data: { presence: [never] } });
    const { socket: erin } = await connect(running.app.url, token('erin'));
    expect(await request(erin, 'presence:query', { userIds: ['carol-presence'] })).toMatchObject({
      ok: true,
      data: { presence: [{ userId: 'carol-presence', status: 'online' }] },
    });
    carol.disconnect();
  });

  it('refuses a token signed with another secret: connect_error UNAUTHORIZED', async () => {
    const error = await refusal(running.app.url, token('mallory', {}, 'another-secret-of-at-least-32-bytes!!'));
    expect(error.message).toBe('UNAUTHORIZED');
  });

  it('refuses a token whose sub holds a lone surrogate (Redis would read it as another id): connect_error UNAUTHORIZED', async () => {
    const error = await refusal(running.app.url, token('mallory\ud800'));
    expect(error.message).toBe('UNAUTHORIZED');
  });

  it('serves /health/ready, /metrics and /asyncapi.json', async () => {
    const ready = await fetch(`${running.app.url}/health/ready`);
    expect(ready.status).toBe(200);

    const metrics = await fetch(`${running.app.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('realtime_events_total');

    const asyncapi = await fetch(`${running.app.url}/asyncapi.json`);
    expect(asyncapi.status).toBe(200);
    const document = (await asyncapi.json()) as { asyncapi: string; info: { title: string }; operations: Record<string, unknown> };
    expect(document.asyncapi).toMatch(/^3\./);
    expect(document.info.title).toBe('Todo realtime API');
    expect(Object.keys(document.operations)).toEqual(expect.arrayContaining(['receive.todo.add', 'send.todo.added', 'receive.chat.send']));
  });

  it("runs the app's own node --test suite written with nest-realtime/testing", async () => {
    const { stdout } = await run(
      `[${running.fixture.name}] node --test test/todo.test.mjs`,
      process.execPath,
      ['--test', 'test/todo.test.mjs'],
      { cwd: running.fixture.dir, timeoutMs: 60_000 },
    );
    expect(stdout).toMatch(/# fail 0/);
  }, 90_000);

  it('stops with "auth.secret: at least 32 bytes" and a non-zero exit on a short JWT_SECRET', async () => {
    const result = await runAppToExit(running.fixture, { JWT_SECRET: 'short' });
    expect(result.code === 0 && result.signal === null).toBe(false);
    expect(result.stderr).toContain('auth.secret: at least 32 bytes');
  }, 45_000);

  it("type-checks the package's declarations as an app with skipLibCheck: false sees them", async () => {
    // TypeScript's default; a broken declaration is silent with skipLibCheck: true (its types become `any`).
    const outcome = await run(
      `[${running.fixture.name}] tsc -p tsconfig.libcheck.json`,
      'npx',
      ['--no', '--', 'tsc', '-p', 'tsconfig.libcheck.json'],
      { cwd: running.fixture.dir },
    ).then(
      () => '',
      (error: Error & Partial<RunResult>) => `${error.stdout ?? ''}\n${error.stderr ?? error.message}`,
    );
    const errors = outcome
      .split('\n')
      .filter((line) => /error TS\d+/.test(line))
      // Faults of other packages' own declarations are theirs, not this package's.
      .filter((line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/nest-realtime/'));
    expect(errors).toEqual([]);
  }, 60_000);

  it('closes and exits 0 on SIGTERM', async () => {
    expect(await running.app.stop()).toEqual({ code: 0, signal: null });
  }, 30_000);
});

describe('the same app with Redis: pushes from a worker script and over HTTP', () => {
  const KEY = 'a-publish-api-key-of-at-least-32-characters';
  let fixture: Fixture;
  let redis: TestRedis;
  let app: RunningApp;

  beforeAll(async () => {
    fixture = await current;
    redis = await startRedis();
    app = await startApp(fixture, { JWT_SECRET: SECRET, REDIS_URL: redis.url, PUBLISH_API_KEY: KEY });
  }, 240_000);

  afterAll(async () => {
    closeSockets();
    await app?.stop();
    await redis?.stop();
  }, 30_000);

  it('a plain Node script with the package and REDIS_URL pushes a validated notification to a connected user', async () => {
    const { socket } = await connect(app.url, token('alice'));
    const arriving = new Promise<unknown>((resolvePromise) => socket.once('notification', resolvePromise));
    const { stdout } = await run(`[${fixture.name}] node scripts/publish.mjs`, process.execPath, ['scripts/publish.mjs'], {
      cwd: fixture.dir,
      env: cleanEnv({ REDIS_URL: redis.url, USER_ID: 'alice' }),
      timeoutMs: 30_000,
    });
    expect(stdout).toContain('refused: PublishError');
    expect(stdout).toContain('published');
    expect(await arriving).toMatchObject({ type: 'export.ready', data: { url: 'https://example.com/export.csv' } });
  }, 60_000);

  it('POST /realtime/publish with the key pushes to the user, and refuses a wrong key', async () => {
    const { socket } = await connect(app.url, token('bob'));
    const arriving = new Promise<unknown>((resolvePromise) => socket.once('notification', resolvePromise));
    const body = JSON.stringify({ to: { userId: 'bob' }, event: 'notification', data: { type: 'payment.confirmed', data: { amount: 5 } } });
    const send = (key: string) =>
      fetch(`${app.url}/realtime/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
      });
    expect((await send('wrong')).status).toBe(401);
    const response = await send(KEY);
    expect(response.status).toBe(202);
    expect(await arriving).toMatchObject({ type: 'payment.confirmed', data: { amount: 5 } });
  });

  it('a second node drains on SIGTERM as fast as this one admits its clients: at most 500 on their way at once', async () => {
    const USERS = 700;
    // Each client takes this long to arrive after it is told: the other node admits them slowly.
    const MOVE_MS = 400;
    const leaving = await startApp(fixture, { JWT_SECRET: SECRET, REDIS_URL: redis.url, SHUTDOWN_GRACE_MS: '10000' });
    const told: number[] = [];
    const moves: Promise<void>[] = [];
    for (let from = 0; from < USERS; from += 100) {
      const batch = await Promise.all(Array.from({ length: 100 }, (_, i) => connect(leaving.url, token(`mover-${from + i}`))));
      for (const [i, { socket }] of batch.entries()) {
        const notice = new Promise<{ reconnectAfterMs: number }>((resolvePromise) => socket.once('server:shutdown', resolvePromise));
        moves.push(
          notice.then(async ({ reconnectAfterMs }) => {
            told.push(Date.now());
            await new Promise((resolvePromise) => setTimeout(resolvePromise, reconnectAfterMs));
            socket.disconnect();
            await new Promise((resolvePromise) => setTimeout(resolvePromise, MOVE_MS));
            await connect(app.url, token(`mover-${from + i}`));
          }),
        );
      }
    }
    const exited = new Promise<unknown[]>((resolvePromise) => leaving.child.once('exit', (...end) => resolvePromise(end)));
    leaving.child.kill('SIGTERM');
    try {
      await Promise.all(moves);
      expect(await exited).toEqual([0, null]);
    } finally {
      await leaving.stop();
    }

    // No client arrives sooner than MOVE_MS after it is told, so whatever is told within that time after the first
    // went out before any arrival: at most the 500 the node lets be on their way at once. The rest came later.
    told.sort((x, y) => x - y);
    const firstWave = told.filter((at) => at - told[0]! < MOVE_MS - 50).length;
    expect(firstWave).toBeLessThanOrEqual(500);
    expect(firstWave).toBeGreaterThanOrEqual(250);
    expect(told.at(-1)! - told[0]!).toBeGreaterThanOrEqual(MOVE_MS);
    expect(`${leaving.stdout()}${leaving.stderr()}`).not.toMatch(/still here|Could not see/);
  }, 60_000);
});

/*
 * Two tenants, `acme` and `globex`, with the same user ids (alice, bob) and the
 * same room id (`lobby`). Negatives are proven with fences: a later push of the
 * same kind to the same socket travels the same way, so once it arrived,
 * anything wrongly sent to that socket before it would have too.
 */
describe('the same app with JWT_TENANT_CLAIM: each tenant its own', () => {
  const running = whileRunning(() => current, { JWT_TENANT_CLAIM: 'tenant' });
  const user = async (tenant: string, userId: string): Promise<Socket> =>
    (await connect(running.app.url, token(userId, { tenant, rooms: ['lobby'] }))).socket;
  const collect = <T = any>(socket: Socket, event: string): T[] => {
    const seen: T[] = [];
    socket.on(event, (payload: T) => seen.push(payload));
    return seen;
  };

  it('refuses a token without the tenant claim: connect_error UNAUTHORIZED; accepts one with it', async () => {
    expect((await refusal(running.app.url, token('alice', { rooms: ['lobby'] }))).message).toBe('UNAUTHORIZED');
    const { session } = await connect(running.app.url, token('alice', { tenant: 'acme' }));
    expect(session).toMatchObject({ userId: 'alice' });
  });

  it("pushes todo:added to the same tenant's alice only, and counts her devices per tenant", async () => {
    const acme = [await user('acme', 'alice'), await user('acme', 'alice')] as const;
    const globex = [await user('globex', 'alice'), await user('globex', 'alice')] as const;
    const seen = new Map([...acme, ...globex].map((socket) => [socket, collect(socket, 'todo:added')]));

    const acmeArrives = nextEvent(acme[1], 'todo:added');
    const first = await request(acme[0], 'todo:add', { title: 'acme milk' });
    expect(first).toEqual({ ok: true, data: { id: expect.any(String), title: 'acme milk' } });
    expect(await acmeArrives).toEqual((first as { data: unknown }).data);
    // The fences: each tenant's next push to each of its sockets left after the other tenant's.
    const globexArrives = nextEvent(globex[1], 'todo:added');
    const second = await request(globex[0], 'todo:add', { title: 'globex bread' });
    expect(await globexArrives).toEqual((second as { data: unknown }).data);
    const acmeFence = nextEvent(acme[1], 'todo:added');
    const third = await request(acme[0], 'todo:add', { title: 'acme eggs' });
    await acmeFence;

    expect((third as { data: { title: string } }).data.title).toBe('acme eggs');
    // ConnectionManager counts the caller's tenant's alice: two sockets, not four. Each answer is
    // also a round trip, after which the socket holds every push sent to it before.
    for (const socket of [...acme, ...globex])
      expect(await request(socket, 'todo:devices', {})).toEqual({ ok: true, data: { sockets: 2 } });
    const titles = (socket: Socket) => seen.get(socket)!.map((todo: { title: string }) => todo.title);
    for (const socket of acme) expect(titles(socket)).toEqual(['acme milk', 'acme eggs']);
    for (const socket of globex) expect(titles(socket)).toEqual(['globex bread']);
  });

  it("delivers chat messages of room 'lobby' to the same tenant's members only, and keeps its history apart", async () => {
    const acme = { alice: await user('acme', 'alice'), bob: await user('acme', 'bob') };
    const globex = { alice: await user('globex', 'alice'), bob: await user('globex', 'bob') };
    const members = [acme.alice, acme.bob, globex.alice, globex.bob];
    for (const socket of members)
      expect(await request(socket, 'chat:join', { roomId: 'lobby' })).toEqual({ ok: true, data: { roomId: 'lobby' } });
    const seen = new Map(members.map((socket) => [socket, collect(socket, 'chat:message')]));
    const send = async (socket: Socket, text: string, to: Socket) => {
      const arriving = nextEvent(to, 'chat:message');
      const reply = await request(socket, 'chat:send', { roomId: 'lobby', text });
      expect(reply).toMatchObject({ ok: true, data: { roomId: 'lobby', text } });
      expect(await arriving).toEqual((reply as { data: unknown }).data);
      return (reply as { data: { text: string } }).data;
    };

    const fromAcme = await send(acme.alice, 'hello from acme', acme.bob);
    const fromGlobex = await send(globex.alice, 'hello from globex', globex.bob);
    // The fences for the senders' own sockets: each gets its tenant's next message.
    const acmeFence = await send(acme.bob, 'fence acme', acme.alice);
    const globexFence = await send(globex.bob, 'fence globex', globex.alice);

    // Each tenant's history, asked from every member: a round trip, after which the socket holds every message sent to it before.
    const history = async (socket: Socket) => {
      const reply = await request<{ messages: unknown[] }>(socket, 'chat:history', { roomId: 'lobby', limit: 50 });
      if (!reply.ok) throw new Error(reply.error.message);
      return reply.data.messages;
    };
    for (const socket of [acme.alice, acme.bob]) expect(await history(socket)).toEqual([fromAcme, acmeFence]);
    for (const socket of [globex.alice, globex.bob]) expect(await history(socket)).toEqual([fromGlobex, globexFence]);
    expect(seen.get(acme.bob)).toEqual([fromAcme]);
    expect(seen.get(acme.alice)).toEqual([acmeFence]);
    expect(seen.get(globex.bob)).toEqual([fromGlobex]);
    expect(seen.get(globex.alice)).toEqual([globexFence]);
  });
});

describe('the same app on Nest 12.0.x and zod 4.0.x', () => {
  const running = whileRunning(() => older);

  it('has one @nestjs/core, at 12.0.x, and one socket.io', () => {
    expect(running.fixture.nestCorePaths).toEqual([join(running.fixture.dir, 'node_modules', '@nestjs', 'core')]);
    expect(running.fixture.socketIoPaths).toEqual([join(running.fixture.dir, 'node_modules', 'socket.io')]);
    expect(running.fixture.nestCoreVersion).toMatch(/^12\.0\.\d+$/);
    const zod = JSON.parse(readFileSync(join(running.fixture.dir, 'node_modules', 'zod', 'package.json'), 'utf8')) as { version: string };
    expect(zod.version).toMatch(/^4\.0\.\d+$/);
  });

  it('answers the handshake and todo:add', async () => {
    const { socket: phone, session } = await connect(running.app.url, token('alice'));
    expect(session).toMatchObject({ userId: 'alice' });
    const { socket: laptop } = await connect(running.app.url, token('alice'));
    const pushed = nextEvent(laptop, 'todo:added');
    const reply = await request(phone, 'todo:add', { title: 'bread' });
    expect(reply).toEqual({ ok: true, data: { id: expect.any(String), title: 'bread' } });
    expect(await pushed).toEqual((reply as { data: unknown }).data);
    expect(await request(phone, 'todo:add', { title: '' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});

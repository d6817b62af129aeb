import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SECRET, startApp, type TestApp } from './support/app.js';
import { request } from './support/events.js';
import { startRedis, type TestRedis } from './support/redis-server.js';

describe('the app over HTTP', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it('answers /health/live and /health/ready', async () => {
    t = await startApp();
    const live = await fetch(`${t.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${t.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { websocket: { status: 'up' } } });
  });

  it('signs a dev token that connects when DEV_AUTH=true', async () => {
    t = await startApp({ DEV_AUTH: 'true' });
    const response = await fetch(`${t.url}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'alice', rooms: ['lobby'] }),
    });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };
    const client = await t.connect({ token });
    expect((await request(client, 'auth:refresh', { token })).ok).toBe(true);
  });

  it('takes the limit on body nesting from WS_MAX_BODY_DEPTH', async () => {
    t = await startApp({ WS_MAX_BODY_DEPTH: '3' });
    const client = await t.connect('alice');
    const deep = await request(client, 'presence:subscribe', { userIds: ['bob'], x: { y: { z: {} } } });
    expect(deep).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', details: [{ message: 'nested deeper than 3 levels' }] } });
    // Three levels pass (the event's schema drops the unknown `x`); with the default of 32 so would four.
    expect((await request(client, 'presence:subscribe', { userIds: ['bob'], x: { y: {} } })).ok).toBe(true);
  });

  it('refuses tokens longer than JWT_MAX_TOKEN_BYTES at the handshake and in auth:refresh', async () => {
    t = await startApp({ JWT_MAX_TOKEN_BYTES: '512' });
    const long = t.token('alice', { pad: 'x'.repeat(400) });
    expect(long.length).toBeGreaterThan(512);
    expect((await t.refuse({ token: long })).data).toEqual({ code: 'UNAUTHORIZED', message: 'The token is too large' });
    const client = await t.connect('alice');
    expect(await request(client, 'auth:refresh', { token: long })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect((await request(client, 'auth:refresh', { token: t.token('alice') })).ok).toBe(true);
  });

  it('takes the per-socket caps on chat rooms and watched users from the environment', async () => {
    t = await startApp({ CHAT_MAX_ROOMS_PER_SOCKET: '1', PRESENCE_MAX_WATCHED_PER_SOCKET: '2' });
    const client = await t.connect('alice', { claims: { rooms: ['a', 'b'] } });
    expect((await request(client, 'chat:join', { roomId: 'a' })).ok).toBe(true);
    expect(await request(client, 'chat:join', { roomId: 'b' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await request(client, 'presence:subscribe', { userIds: ['bob', 'carol'] })).ok).toBe(true);
    expect(await request(client, 'presence:subscribe', { userIds: ['dave'] })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('refuses a bad dev token request with 400', async () => {
    t = await startApp({ DEV_AUTH: 'true' });
    const response = await fetch(`${t.url}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: '' }),
    });
    expect(response.status).toBe(400);
  });

  it('has no dev token endpoint unless DEV_AUTH=true', async () => {
    t = await startApp();
    const response = await fetch(`${t.url}/auth/dev-token`, { method: 'POST' });
    expect(response.status).toBe(404);
  });
});

describe('the app with Redis', () => {
  let redis: TestRedis;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(() => t?.close());
  afterAll(() => redis?.stop());

  const sendTo = async (roomId: string): Promise<void> => {
    const client = await t.connect('alice', { claims: { rooms: [roomId] } });
    expect((await request(client, 'chat:join', { roomId })).ok).toBe(true);
    expect((await request(client, 'chat:send', { roomId, text: 'hello' })).ok).toBe(true);
    expect((await request(client, 'chat:history', { roomId })).data.messages).toHaveLength(1);
  };

  it('forgets a room nobody wrote to for CHAT_HISTORY_IDLE_TTL_MS', async () => {
    t = await startApp({ REDIS_URL: redis.url, CHAT_HISTORY_IDLE_TTL_MS: '500' });
    await sendTo('idle');
    await new Promise((resolve) => setTimeout(resolve, 800));
    const client = await t.connect('bob', { claims: { rooms: ['idle'] } });
    expect((await request(client, 'chat:history', { roomId: 'idle' })).data).toEqual({ messages: [], hasMore: false });
  });

  it('keeps the history of a room without CHAT_HISTORY_IDLE_TTL_MS', async () => {
    t = await startApp({ REDIS_URL: redis.url });
    await sendTo('kept');
    await new Promise((resolve) => setTimeout(resolve, 800));
    const client = await t.connect('bob', { claims: { rooms: ['kept'] } });
    expect((await request(client, 'chat:history', { roomId: 'kept' })).data.messages).toHaveLength(1);
  });
});

describe('the compiled server', () => {
  it('refuses to start in production without a key, naming the variable', async () => {
    const run = promisify(execFile);
    // `npm test` builds dist/ first.
    const failure = await run(process.execPath, ['dist/main.js'], {
      env: { ...process.env, NODE_ENV: 'production', JWT_SECRET: '', JWT_PUBLIC_KEY: '', PORT: '0' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('JWT_SECRET or JWT_PUBLIC_KEY is required');
  });
});

describe('the compiled app', () => {
  // Boots the app from dist/ in a process of its own and names the Redis packages it loaded.
  const redisPackagesLoaded = async (env: Record<string, string>): Promise<string[]> => {
    const script = `
      import { createRequire } from 'node:module';
      const { loadConfig } = await import('./dist/config/app.config.js');
      const { createApp } = await import('./dist/app.factory.js');
      const app = await createApp(loadConfig(process.env), false);
      await app.listen(0, '127.0.0.1');
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      await app.close();
      console.log(JSON.stringify(['ioredis', '@socket.io/redis-adapter'].filter((name) => loaded.some((path) => path.includes('/node_modules/' + name + '/')))));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, NODE_ENV: 'production', JWT_SECRET: SECRET, PORT: '0', REDIS_URL: '', ...env },
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as string[];
  };

  it('loads the Redis client and adapter only when REDIS_URL is set', async () => {
    expect(await redisPackagesLoaded({})).toEqual([]);
    const redis = await startRedis();
    try {
      expect(await redisPackagesLoaded({ REDIS_URL: redis.url })).toEqual(['ioredis', '@socket.io/redis-adapter']);
    } finally {
      await redis.stop();
    }
  });
});

describe('metrics', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it('serves Prometheus text with sockets, handshakes, events by name and outcome, latency and node id', async () => {
    t = await startApp({ NODE_ID: 'metrics-node' });
    const client = await t.connect('alice');
    await t.refuse({ token: 'garbage' });
    await request(client, 'auth:refresh', { token: 'garbage' });
    await request(client, 'made:up', {});
    const response = await fetch(`${t.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('realtime_sockets 1');
    expect(text).toContain('realtime_handshakes_total{outcome="ok"} 1');
    expect(text).toContain('realtime_handshakes_total{outcome="UNAUTHORIZED"} 1');
    expect(text).toContain('realtime_events_total{event="auth:refresh",outcome="UNAUTHORIZED"} 1');
    expect(text).toContain('realtime_events_total{event="unknown",outcome="UNKNOWN_EVENT"} 1');
    expect(text).toMatch(/realtime_event_duration_seconds_count\{event="auth:refresh"\} 1/);
    expect(text).toContain('realtime_node_info{node_id="metrics-node",redis="no"} 1');
    expect(text).toContain('realtime_redis_up 1');
    expect(text).not.toContain('garbage');
  });
});

describe('npm run token', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it('prints a token signed with JWT_SECRET that the server accepts, with the rooms asked for', async () => {
    t = await startApp();
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['dist/scripts/token.js', 'alice', '--rooms', 'lobby,den', '--ttl', '10m'], {
      env: { ...process.env, JWT_SECRET: SECRET },
    });
    const client = await t.connect({ token: stdout.trim() });
    expect((await request(client, 'chat:join', { roomId: 'den' })).ok).toBe(true);
    expect((await request(client, 'chat:join', { roomId: 'attic' })).error.code).toBe('FORBIDDEN');
  });

  it('refuses to sign without JWT_SECRET', async () => {
    const run = promisify(execFile);
    const failure = await run(process.execPath, ['dist/scripts/token.js', 'alice'], { env: { PATH: process.env.PATH } }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining('JWT_SECRET is not set') });
  });
});

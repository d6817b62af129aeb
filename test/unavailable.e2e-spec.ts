import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Socket } from 'socket.io-client';
import { openClient, ready, signToken, startApp, type TestApp } from './support/app.js';
import { eventually } from './support/cluster.js';
import { request } from './support/events.js';
import { startRedis, type TestRedis } from './support/redis-server.js';

const redisCli = promisify(execFile);
const KEY = 'a-publish-api-key-of-at-least-32-characters';

/**
 * A Redis that is down, hung or full fails the requests that need it with
 * `UNAVAILABLE` and a `retryAfterMs`, within the commands' 3 s timeout, never
 * with `INTERNAL`; they succeed again soon after it heals.
 */
describe('requests while Redis is down, hung or full (e2e)', () => {
  let redis: TestRedis;
  let app: TestApp;
  let alice: Socket;

  const cli = (...args: string[]) => redisCli('redis-cli', ['-p', String(redis.port), ...args]);
  /** A request with room for the commands' 3 s timeout (the kit's `request` gives up at 3 s). */
  const ask = (event: string, body: unknown): Promise<any> => alice.timeout(6000).emitWithAck(event, body);
  const send = (text: string) => ask('chat:send', { roomId: 'general', text });
  const UNAVAILABLE = { ok: false, error: { code: 'UNAVAILABLE', message: expect.any(String), details: { retryAfterMs: 1000 } } };

  beforeEach(async () => {
    redis = await startRedis();
    app = await startApp({ REDIS_URL: redis.url, NODE_ID: 'n1', PUBLISH_API_KEY: KEY, LOG_LEVEL: 'error' });
    alice = await ready(openClient(app.url, { token: signToken('alice', { rooms: ['general'] }) }));
    expect((await request(alice, 'chat:join', { roomId: 'general' })).ok).toBe(true);
    expect((await send('before')).ok).toBe(true);
  });

  afterEach(async () => {
    alice?.disconnect();
    await app?.close();
    await redis?.stop();
  });

  it('answers UNAVAILABLE at once while Redis is down, and ok again once it is back', async () => {
    await redis.kill();
    const started = Date.now();
    expect(await send('during')).toEqual(UNAVAILABLE);
    expect(await ask('chat:history', { roomId: 'general' })).toEqual(UNAVAILABLE);
    expect(await ask('presence:query', { userIds: ['bob'] })).toEqual(UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(1000);
    await redis.start();
    await eventually(async () => (await send('after')).ok === true, 5000, 'a send accepted again');
  });

  it('answers UNAVAILABLE within the 3 s command timeout while Redis hangs, and ok once it answers again', async () => {
    // Every client's commands wait for 4 s.
    await cli('CLIENT', 'PAUSE', '4000', 'ALL');
    const started = Date.now();
    expect(await send('during')).toEqual(UNAVAILABLE);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(2900);
    expect(elapsed).toBeLessThan(4000);
    await eventually(async () => (await send('after')).ok === true, 5000, 'a send accepted again');
  });

  it('answers UNAVAILABLE to writes while Redis refuses them for memory, keeps serving reads, and writes once it has room', async () => {
    await cli('CONFIG', 'SET', 'maxmemory', '1');
    try {
      expect(await send('during')).toEqual(UNAVAILABLE);
      const history = await ask('chat:history', { roomId: 'general' });
      expect(history.ok).toBe(true);
      expect(history.data.messages.map((message: { text: string }) => message.text)).toEqual(['before']);
    } finally {
      await cli('CONFIG', 'SET', 'maxmemory', '0');
    }
    expect((await send('after')).ok).toBe(true);
  });

  it('answers a publish over HTTP 503 UNAVAILABLE while Redis is down, instead of accepting a push it cannot send', async () => {
    const publish = () =>
      fetch(`${app.url}/realtime/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to: { userId: 'alice' }, event: 'notification', data: { type: 'export.ready', data: {} } }),
      });
    await redis.kill();
    const refused = await publish();
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: { code: 'UNAVAILABLE', message: 'Redis is unreachable: the push was not sent; try again', details: { retryAfterMs: 1000 } },
    });
    await redis.start();
    await eventually(async () => (await publish()).status === 202, 5000, 'a publish accepted again');
  });
});

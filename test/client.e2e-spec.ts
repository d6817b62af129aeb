import { jest } from '@jest/globals';
import { createRealtimeClient, RealtimeRequestError, type RealtimeClient } from '../src/client/index.js';
import { signToken, startApp, type TestApp } from './support/app.js';
import { request } from './support/events.js';
import { startRedis } from './support/redis-server.js';

describe('createRealtimeClient against the real server', () => {
  let t: TestApp;
  const clients: RealtimeClient[] = [];
  const client = (options: Parameters<typeof createRealtimeClient>[1]) => {
    const created = createRealtimeClient(t.url, {
      ...options,
      socket: { reconnectionDelay: 50, reconnectionDelayMax: 100, ...options.socket },
    });
    clients.push(created);
    return created;
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await t?.close();
  });

  it('unwraps replies into data and failures into RealtimeRequestError with the protocol code', async () => {
    t = await startApp();
    const alice = client({ token: signToken('alice', { rooms: ['lobby'] }) });
    expect(await alice.ready).toMatchObject({ userId: 'alice' });
    expect(await alice.request('chat:join', { roomId: 'lobby' })).toEqual({ roomId: 'lobby' });
    const refused = await alice.request('chat:join', { roomId: 'vault' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RealtimeRequestError);
    expect(refused).toMatchObject({ code: 'FORBIDDEN' });
    const invalid = await alice.request('chat:send', { roomId: 'lobby', text: '' }).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ code: 'BAD_REQUEST', details: [{ path: 'text', message: expect.any(String) }] });
  });

  it('refreshes the token before it expires, so the session outlives it', async () => {
    t = await startApp({ JWT_CLOCK_TOLERANCE_S: '0' });
    const getToken = jest.fn(async () => signToken('alice', { exp: Math.floor(Date.now() / 1000) + 60 }));
    const alice = client({ token: signToken('alice', { exp: Math.floor(Date.now() / 1000) + 2 }), getToken, refreshBeforeMs: 1500 });
    await alice.ready;
    const expired = jest.fn();
    alice.on('session:expired', expired);
    await new Promise((resolve) => setTimeout(resolve, 2600));
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(expired).not.toHaveBeenCalled();
    expect(alice.socket.connected).toBe(true);
  });

  it('after a dropped connection, joins its rooms again and replays the messages it missed, in order, once', async () => {
    t = await startApp();
    const token = () => signToken('alice', { rooms: ['lobby'] });
    // Slow enough to come back that the missed messages are all sent while away.
    const alice = client({
      token: token(),
      getToken: token,
      socket: { reconnectionDelay: 400, reconnectionDelayMax: 400, randomizationFactor: 0 },
    });
    await alice.ready;
    await alice.request('chat:join', { roomId: 'lobby' });
    const bob = await t.connect('bob', { claims: { rooms: ['lobby'] } });
    await request(bob, 'chat:join', { roomId: 'lobby' });
    const received: string[] = [];
    alice.on('chat:message', (message) => received.push(message.text));
    const before = new Promise((resolve) => alice.socket.once('chat:message', resolve));
    await request(bob, 'chat:send', { roomId: 'lobby', text: 'before the drop' });
    await before;
    await alice.request('chat:send', { roomId: 'lobby', text: 'my own' });

    const back = new Promise((resolve) => alice.socket.once('session:ready', resolve));
    const dropped = new Promise((resolve) => alice.socket.once('disconnect', resolve));
    alice.socket.io.engine.close(); // the network drops; socket.io-client reconnects by itself
    await dropped;
    for (const text of ['missed 1', 'missed 2', 'missed 3']) await request(bob, 'chat:send', { roomId: 'lobby', text });
    await back;
    const caughtUp = new Promise<void>((resolve) => alice.on('chat:message', (m) => m.text === 'missed 3' && resolve()));
    await caughtUp;
    // Live delivery works again too: the room was joined again.
    const live = new Promise((resolve) => alice.on('chat:message', (m) => m.text === 'live' && resolve(m)));
    await request(bob, 'chat:send', { roomId: 'lobby', text: 'live' });
    await live;
    expect(received).toEqual(['before the drop', 'missed 1', 'missed 2', 'missed 3', 'live']);
  });

  it('comes back with a fresh token after its session expired', async () => {
    t = await startApp({ JWT_CLOCK_TOLERANCE_S: '0' });
    let issued = 0;
    const alice = client({
      token: signToken('alice', { exp: Math.ceil(Date.now() / 1000) + 1 }),
      getToken: async () => {
        issued++;
        return signToken('alice');
      },
      refreshBeforeMs: 0,
    });
    await alice.ready;
    await new Promise((resolve) => alice.socket.once('session:expired', resolve));
    await new Promise((resolve) => alice.socket.once('session:ready', resolve));
    expect(issued).toBeGreaterThanOrEqual(1);
    expect(await alice.request('presence:query', { userIds: ['alice'] })).toMatchObject({
      presence: [{ userId: 'alice', status: 'online' }],
    });
  });

  it('retries what is safe to repeat while Redis is down, and nothing else', async () => {
    const redis = await startRedis();
    try {
      t = await startApp({ REDIS_URL: redis.url, NODE_ID: 'n1' });
      const alice = client({ token: signToken('alice', { rooms: ['lobby'] }), retry: { attempts: 5, maxDelayMs: 400 } });
      await alice.ready;
      await alice.request('chat:join', { roomId: 'lobby' });
      await redis.kill();

      // Not safe to repeat: rejected at the first UNAVAILABLE.
      const plain = await alice.request('chat:send', { roomId: 'lobby', text: 'plain' }).catch((error: unknown) => error);
      expect(plain).toMatchObject({ code: 'UNAVAILABLE', details: { retryAfterMs: 1000 } });
      // Safe: a read and a send the server deduplicates, answered once Redis is back.
      const query = alice.request('presence:query', { userIds: ['alice'] });
      const send = alice.request('chat:send', { roomId: 'lobby', text: 'kept', clientMsgId: 'm-1' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await redis.start();
      expect((await query).presence).toEqual([expect.objectContaining({ userId: 'alice' })]);
      const sent = await send;
      expect(sent).toMatchObject({ text: 'kept' });
      const { messages } = await alice.request('chat:history', { roomId: 'lobby' });
      expect(messages.map((message) => message.id)).toEqual([sent.id]);
    } finally {
      await redis.stop();
    }
  });

  it('gives up after its attempts with the last UNAVAILABLE, and never retries with retry: false', async () => {
    const redis = await startRedis();
    try {
      t = await startApp({ REDIS_URL: redis.url, NODE_ID: 'n1' });
      const bounded = client({ token: signToken('alice'), retry: { attempts: 2, maxDelayMs: 100 } });
      const never = client({ token: signToken('bob'), retry: false });
      await Promise.all([bounded.ready, never.ready]);
      await redis.kill();
      let started = Date.now();
      await expect(bounded.request('presence:query', { userIds: ['x'] })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      // Two waits of at most 100 ms each.
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(Date.now() - started).toBeLessThan(1000);
      started = Date.now();
      await expect(never.request('presence:query', { userIds: ['x'] })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(100);
    } finally {
      await redis.stop();
    }
  });
});

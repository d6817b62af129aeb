import type { Socket } from 'socket.io-client';
import { openClient, ready, signToken } from './support/app.js';
import { eventually } from './support/cluster.js';
import { nextEvent, request } from './support/events.js';
import { startNodeProcess, type NodeProcess } from './support/node-process.js';
import { launchRedis, startRedis, type TestRedis } from './support/redis-server.js';

/**
 * The usual order of a fresh deploy: the nodes come up before Redis. A node
 * started during the outage is live, not ready, serves its own sockets, and
 * joins the cluster when Redis comes, without a restart.
 */
describe('a node started while Redis is down (e2e)', () => {
  let redis: TestRedis;
  const nodes: NodeProcess[] = [];
  const clients: Socket[] = [];

  const connectTo = async (node: NodeProcess, userId: string): Promise<Socket> => {
    const socket = openClient(node.url, { token: signToken(userId, { rooms: ['general'] }) });
    clients.push(socket);
    return ready(socket);
  };
  const status = async (node: NodeProcess, probe: 'live' | 'ready') => (await fetch(`${node.url}/health/${probe}`)).status;

  beforeEach(async () => {
    redis = await startRedis();
    await redis.kill();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    for (const node of nodes.splice(0)) await node.stop();
    await redis.stop();
  });

  it('starts live and not ready, serves its local sockets, and joins the cluster once Redis comes', async () => {
    const env = { REDIS_URL: redis.url, PRESENCE_HEARTBEAT_MS: '200', LOG_LEVEL: 'log' };
    const first = await startNodeProcess({ ...env, NODE_ID: 'early' }, undefined, { until: 'live' });
    nodes.push(first);
    expect(await status(first, 'live')).toBe(200);
    expect(await status(first, 'ready')).toBe(503);
    expect(first.output()).toMatch(/was not reachable within \d+ ms; starting without it/);

    // Its own sockets work as in any outage: admitted on this node, a room push between two of them.
    const alice = await connectTo(first, 'alice');
    const bob = await connectTo(first, 'bob');
    for (const socket of [alice, bob])
      expect(await request(socket, 'chat:join', { roomId: 'general' })).toEqual({ ok: true, data: { roomId: 'general' } });
    const typing = nextEvent(bob, 'chat:typing');
    expect((await request(alice, 'chat:typing', { roomId: 'general', typing: true })).ok).toBe(true);
    expect(await typing).toMatchObject({ roomId: 'general', userId: 'alice', typing: true });

    await redis.start();
    await eventually(async () => (await status(first, 'ready')) === 200, 10_000, 'the early node ready');
    const second = await startNodeProcess({ ...env, NODE_ID: 'late' });
    nodes.push(second);

    // The registry knows the early node's sockets, and presence follows it.
    const carol = await connectTo(second, 'carol');
    await eventually(
      async () => (await request(carol, 'presence:query', { userIds: ['alice'] })).data?.presence[0].status === 'online',
      5000,
      'alice online, seen from the late node',
    );
    // Room pushes cross the nodes both ways: the early node subscribed to its rooms once Redis came.
    expect((await request(carol, 'chat:join', { roomId: 'general' })).ok).toBe(true);
    const toEarly = nextEvent(alice, 'chat:typing');
    expect((await request(carol, 'chat:typing', { roomId: 'general', typing: true })).ok).toBe(true);
    expect(await toEarly).toMatchObject({ userId: 'carol' });
    const toLate = nextEvent(carol, 'chat:message');
    expect((await request(bob, 'chat:send', { roomId: 'general', text: 'hello' })).ok).toBe(true);
    expect(await toLate).toMatchObject({ userId: 'bob', text: 'hello' });

    expect(first.child.exitCode).toBeNull();
    expect(first.output()).not.toMatch(/Unhandled|unhandled rejection/i);
  });

  it('stops at start-up, naming what to check, when Redis refuses the password', async () => {
    const guarded = await launchRedis('the start-up suite', { args: ['--requirepass', 'the-right-password'] });
    try {
      const failure = await startNodeProcess({ REDIS_URL: guarded.url, REDIS_PASSWORD: 'not-the-password' }, undefined, {
        until: 'live',
      }).then(
        (node) => (nodes.push(node), new Error('the node started')),
        (error: Error) => error,
      );
      expect(failure.message).toMatch(/^the server exited at start-up/);
      expect(failure.message).toMatch(/refused the credentials \(WRONGPASS\): check the redis option's username and password/);
      expect(failure.message).not.toContain('not-the-password');
    } finally {
      await guarded.stop();
    }
  });
});

import type { Socket } from 'socket.io-client';
import { ConnectionManager, RealtimeEmitter } from '../src/core/websocket/index.js';
import { openClient, ready, signToken, startApp, type TestApp } from './support/app.js';
import { eventually, REDIS_MODES, redisEnv } from './support/cluster.js';
import { nextEvent, request } from './support/events.js';
import { startNodeProcess, type NodeProcess } from './support/node-process.js';

const HEARTBEAT_MS = 200;

describe.each(REDIS_MODES)('node and Redis faults through %s', (mode) => {
  let redis: Awaited<ReturnType<typeof redisEnv>>;
  let local: TestApp | undefined;
  let remote: NodeProcess | undefined;
  const clients: Socket[] = [];

  const connectTo = async (url: string, userId: string) => {
    const socket = openClient(url, { token: signToken(userId) });
    clients.push(socket);
    return ready(socket);
  };

  beforeEach(async () => {
    redis = await redisEnv(mode);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await remote?.stop();
    remote = undefined;
    await local?.close();
    local = undefined;
    await redis.stop();
  });

  const env = () => ({ ...redis.env, PRESENCE_HEARTBEAT_MS: String(HEARTBEAT_MS), WS_SHUTDOWN_GRACE_MS: '2000' });

  it("removes a SIGKILLed node's sockets within three heartbeats", async () => {
    local = await startApp({ ...env(), NODE_ID: 'survivor' });
    remote = await startNodeProcess({ ...env(), NODE_ID: 'victim' });
    await connectTo(remote.url, 'alice');
    await connectTo(local.url, 'bob');
    const connections = local.app.get(ConnectionManager);
    expect(await connections.isOnline('alice')).toBe(true);

    const killedAt = Date.now();
    remote.kill('SIGKILL');
    await remote.exited;
    await eventually(async () => !(await connections.isOnline('alice')), HEARTBEAT_MS * 3 + 1000, 'alice removed');
    expect(Date.now() - killedAt).toBeLessThan(HEARTBEAT_MS * 3 + 1000);
    expect(await connections.isOnline('bob')).toBe(true);
    expect(await connections.countConnections()).toBe(1);
  });

  it('drains on SIGTERM: server:shutdown, clients leave, the node leaves the registry, exit code 0', async () => {
    local = await startApp({ ...env(), NODE_ID: 'stayer' });
    remote = await startNodeProcess({ ...env(), NODE_ID: 'leaver' });
    const alice = await connectTo(remote.url, 'alice');
    const connections = local.app.get(ConnectionManager);
    expect(await connections.isOnline('alice')).toBe(true);

    const notice = nextEvent<{ reconnectAfterMs: number }>(alice, 'server:shutdown', 5000);
    remote.kill('SIGTERM');
    const { reconnectAfterMs } = await notice;
    expect(reconnectAfterMs).toBeGreaterThanOrEqual(0);
    expect(reconnectAfterMs).toBeLessThanOrEqual(2000);
    // A well-behaved client moves to another node.
    alice.disconnect();
    await connectTo(local.url, 'alice');
    expect(await remote.exited).toEqual({ code: 0, signal: null });
    const sockets = await connections.getSockets('alice');
    expect(sockets.map((s) => s.nodeId)).toEqual(['stayer']);
  });

  it('disconnects the sockets that stay past the grace period, then exits 0', async () => {
    remote = await startNodeProcess({ ...env(), NODE_ID: 'leaver', WS_SHUTDOWN_GRACE_MS: '300' });
    const stubborn = await connectTo(remote.url, 'alice');
    const gone = nextEvent(stubborn, 'disconnect', 5000);
    remote.kill('SIGTERM');
    expect(await gone).toBe('io server disconnect');
    expect(await remote.exited).toEqual({ code: 0, signal: null });
  });

  if (mode === 'one server')
    it('paces a drain by the arrivals: no more than 500 clients on their way at once, the rest told as those arrive', async () => {
      const USERS = 700;
      // Each client takes this long to arrive after it is told: the other node admits them slowly.
      const MOVE_MS = 400;
      local = await startApp({ ...env(), NODE_ID: 'taker' });
      remote = await startNodeProcess({ ...env(), NODE_ID: 'leaver', WS_SHUTDOWN_GRACE_MS: '10000' });
      const told: number[] = [];
      const moves: Promise<void>[] = [];
      for (let from = 0; from < USERS; from += 100) {
        const batch = await Promise.all(Array.from({ length: 100 }, (_, i) => connectTo(remote!.url, `mover-${from + i}`)));
        for (const [i, socket] of batch.entries()) {
          moves.push(
            nextEvent<{ reconnectAfterMs: number }>(socket, 'server:shutdown', 15_000).then(async ({ reconnectAfterMs }) => {
              told.push(Date.now());
              await new Promise((resolve) => setTimeout(resolve, reconnectAfterMs));
              socket.disconnect();
              await new Promise((resolve) => setTimeout(resolve, MOVE_MS));
              await connectTo(local!.url, `mover-${from + i}`);
            }),
          );
        }
      }
      remote.kill('SIGTERM');
      await Promise.all(moves);
      expect(await remote.exited).toEqual({ code: 0, signal: null });

      // No client arrives sooner than MOVE_MS after it is told, so whatever is told within that time after the first
      // went out before any arrival: at most the 500 the node lets be on their way at once. The rest came later.
      told.sort((x, y) => x - y);
      const firstWave = told.filter((at) => at - told[0]! < MOVE_MS - 50).length;
      expect(firstWave).toBeLessThanOrEqual(500);
      expect(firstWave).toBeGreaterThanOrEqual(250);
      expect(told.at(-1)! - told[0]!).toBeGreaterThanOrEqual(MOVE_MS);
      expect(remote.output()).not.toMatch(/still here|Could not see/);
      const connections = local.app.get(ConnectionManager);
      expect(await connections.countConnections()).toBe(USERS);
    });

  // The shared servers stay up: the outage is on a server of the suite's own.
  if (mode === 'one server')
    it('survives Redis down longer than the retry window: no crash, local delivery meanwhile, cross-node delivery again within 10 s', async () => {
      local = await startApp({ ...env(), NODE_ID: 'in-process' });
      remote = await startNodeProcess({ ...env(), NODE_ID: 'separate' });
      const aliceLocal = await connectTo(local.url, 'alice');
      const aliceRemote = await connectTo(remote.url, 'alice');
      const emitter = local.app.get(RealtimeEmitter);

      await redis.redis!.kill();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      // Local delivery and local handlers keep working.
      const localGot = nextEvent(aliceLocal, 'notification');
      emitter.toUser('alice').emit('notification', { id: 'during', type: 'test', data: {}, createdAt: '' });
      expect(await localGot).toMatchObject({ id: 'during' });
      expect((await request(aliceRemote, 'auth:refresh', { token: signToken('alice') })).ok).toBe(true);
      expect((await fetch(`${remote.url}/health/ready`)).status).toBe(503);

      await redis.redis!.start();
      const restartedAt = Date.now();
      const received = new Set<string>();
      aliceRemote.on('notification', (n: { id: string }) => received.add(n.id));
      let attempt = 0;
      await eventually(
        () => {
          emitter.toUser('alice').emit('notification', { id: `after-${++attempt}`, type: 'test', data: {}, createdAt: '' });
          return received.size > 0;
        },
        10_000,
        'cross-node delivery after the restart',
      );
      expect(Date.now() - restartedAt).toBeLessThan(10_000);
      expect(remote.child.exitCode).toBeNull();
      expect(remote.output()).not.toMatch(/Unhandled|unhandled rejection/i);
      // The registry, emptied by the restart, is rebuilt by the nodes.
      await eventually(async () => (await local!.app.get(ConnectionManager).getSockets('alice')).length === 2, 5000, 'registry rebuilt');
    });
});

describe('a drain larger than its grace period paces', () => {
  let node: NodeProcess | undefined;
  const clients: Socket[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await node?.stop();
    node = undefined;
  });

  /** Connects `count` users to `node` and drains it within `graceMs`; answers what it logged and the delays its clients were told. */
  async function drain(count: number, graceMs: number) {
    node = await startNodeProcess({ WS_SHUTDOWN_GRACE_MS: String(graceMs) });
    for (let from = 0; from < count; from += 200) {
      const batch = Array.from({ length: Math.min(200, count - from) }, (_, i) =>
        openClient(node!.url, { token: signToken(`u${from + i}`) }),
      );
      clients.push(...batch);
      await Promise.all(batch.map((socket) => ready(socket)));
    }
    const delays = clients.map((socket) => nextEvent<{ reconnectAfterMs: number }>(socket, 'server:shutdown', 10_000));
    node.kill('SIGTERM');
    const told = (await Promise.all(delays)).map(({ reconnectAfterMs }) => reconnectAfterMs);
    // Well-behaved clients: each leaves when told (sooner than asked, so the test is quick).
    for (const client of clients) client.disconnect();
    expect(await node.exited).toEqual({ code: 0, signal: null });
    return { output: node.output(), told };
  }

  it('warns in the log when the grace sends the clients faster than 1,000 a second, naming the grace that would keep it', async () => {
    const { output, told } = await drain(1_200, 1_000);
    expect(Math.max(...told)).toBeLessThan(500);
    expect(output).toContain(
      "Sending 1200 sockets elsewhere over 500 ms (2400 a second), faster than the drain's pace of 1000 a second: " +
        'the nodes taking them over may hold some past the presence offline grace. A shutdown grace of 2400 ms (shutdownGraceMs) would keep the pace',
    );
  });

  it('is silent, and spreads the clients at that pace, when the grace is long enough', async () => {
    const { output, told } = await drain(1_200, 2_400);
    expect(Math.max(...told)).toBeLessThan(1_200);
    expect(Math.max(...told)).toBeGreaterThan(1_000);
    expect(output).not.toContain('Sending');
  });
});

import { ConnectionManager, RedisClients } from '../../src/core/websocket/internal.js';
import { signToken, startApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/cluster.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { closeAll, connectRaw, openRaw, type RawClient } from '../support/raw-client.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';

const HEARTBEAT_MS = '200';

/**
 * The registry is the source of truth for who is online and for the per-user
 * cap. Each case here once left an entry for a socket that no longer existed
 * (a ghost: the user shows online forever and loses a place under the cap),
 * or none for one that did.
 */
describe('no ghost entries in the cluster registry', () => {
  let redis: TestRedis;
  let observer: TestApp | undefined;
  let proxy: FaultProxy | undefined;
  let node: NodeProcess | undefined;
  const clients: RawClient[] = [];

  beforeEach(async () => {
    redis = await startRedis();
  });

  afterEach(async () => {
    await closeAll(clients.splice(0));
    await node?.stop();
    node = undefined;
    await observer?.close();
    observer = undefined;
    await proxy?.stop();
    proxy = undefined;
    await redis.stop();
  });

  const env = (extra: Record<string, string> = {}) => ({ REDIS_URL: redis.url, PRESENCE_HEARTBEAT_MS: HEARTBEAT_MS, ...extra });

  it('gives the place back when the transport closes while the registry is admitting the socket', async () => {
    observer = await startApp(env({ NODE_ID: 'observer', WS_MAX_CONNECTIONS_PER_USER: '3' }));
    const connections = observer.app.get(ConnectionManager);
    // `40{token}` then an immediate reset: the close arrives while the Redis admission is in flight.
    for (let i = 0; i < 40; i++) {
      const client = await openRaw(observer.url);
      client.send(`40${JSON.stringify({ token: signToken('flaky') })}`);
      client.terminate();
    }
    await eventually(async () => (await connections.countConnections()) === 0, 3000, 'no entry left');
    // The user still has every place under the cap.
    for (let i = 0; i < 3; i++) clients.push(await connectRaw(observer.url, { token: signToken('flaky') }));
    expect(await connections.countConnections()).toBe(3);
  });

  it("drops a node's previous life's sockets when it restarts under the same NODE_ID", async () => {
    // Beats far apart (the default 5 s): the restart is over long before anyone would reap the node.
    const slow = { PRESENCE_HEARTBEAT_MS: '5000' };
    observer = await startApp(env({ NODE_ID: 'observer', ...slow }));
    const connections = observer.app.get(ConnectionManager);
    node = await startNodeProcess(env({ NODE_ID: 'restarting', ...slow }));
    for (const user of ['ann', 'ben', 'cat']) clients.push(await connectRaw(node.url, { token: signToken(user) }));
    expect(await connections.countConnections()).toBe(3);

    // A crash and an immediate restart: the node beats again before anyone could reap it.
    node.kill('SIGKILL');
    await node.exited;
    node = await startNodeProcess(env({ NODE_ID: 'restarting', ...slow }));
    clients.push(await connectRaw(node.url, { token: signToken('ann') }));

    await eventually(async () => (await connections.countConnections()) === 1, 3000, 'only the live socket counted');
    expect(await connections.isOnline('ann')).toBe(true);
    expect(await connections.isOnline('ben')).toBe(false);
    expect(await connections.isOnline('cat')).toBe(false);
  });

  it('puts the registry right after a Redis outage too short to get the node reaped', async () => {
    proxy = await startFaultProxy(redis.port);
    // One node alone: nobody reaps it, so only its own bookkeeping can notice what it missed.
    observer = await startApp(env({ NODE_ID: 'solo', REDIS_URL: `redis://127.0.0.1:${proxy.port}` }));
    const connections = observer.app.get(ConnectionManager);
    const leaving = await connectRaw(observer.url, { token: signToken('leaver') });
    clients.push(leaving);
    expect(await connections.isOnline('leaver')).toBe(true);

    // Every connection to Redis reset, and new ones too, until healed: an outage that keeps Redis's data.
    proxy.set({ kind: 'reset' });
    await eventually(() => !redisReady(observer!), 3000, 'Redis unreachable');
    // During the outage one user leaves and another arrives (admitted on this node alone).
    leaving.close();
    await leaving.closed;
    clients.push(await connectRaw(observer.url, { token: signToken('arriver') }));
    proxy.set({ kind: 'none' });

    await eventually(async () => redisReady(observer!) && !(await connections.isOnline('leaver')), 8000, 'the leaver removed');
    await eventually(() => connections.isOnline('arriver'), 3000, 'the arriver counted');
    expect(await connections.countConnections()).toBe(1);
  });
});

function redisReady(app: TestApp): boolean {
  return app.app.get(RedisClients).healthy;
}

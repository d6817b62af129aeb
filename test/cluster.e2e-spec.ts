import { ConnectionManager, RealtimeEmitter } from '../src/core/websocket/index.js';
import { eventually, REDIS_MODES, startCluster, type TestCluster } from './support/cluster.js';
import { disconnected, nextEvent } from './support/events.js';

describe.each(REDIS_MODES)('two nodes through %s', (mode) => {
  let cluster: TestCluster;
  afterEach(() => cluster?.close());

  it('delivers a push to a user from the node where it happens to every node holding their sockets', async () => {
    cluster = await startCluster(2, {}, mode);
    const [a, b] = cluster.nodes as [NonNullable<TestCluster['nodes'][0]>, NonNullable<TestCluster['nodes'][0]>];
    const onA = await a.connect('alice');
    const onB = await b.connect('alice');
    const bob = await b.connect('bob');
    const bobGot: unknown[] = [];
    bob.on('notification', (n) => bobGot.push(n));
    const gotA = nextEvent(onA, 'notification');
    const gotB = nextEvent(onB, 'notification');
    a.app.get(RealtimeEmitter).toUser('alice').emit('notification', { id: '1', type: 'test', data: {}, createdAt: 'now' });
    expect(await gotA).toMatchObject({ id: '1' });
    expect(await gotB).toMatchObject({ id: '1' });
    expect(bobGot).toEqual([]);
  });

  it('knows every socket of a user on every node, and disconnects them all from any node', async () => {
    cluster = await startCluster(2, {}, mode);
    const [a, b] = cluster.nodes as [NonNullable<TestCluster['nodes'][0]>, NonNullable<TestCluster['nodes'][0]>];
    const onA = await a.connect('alice');
    const onB = await b.connect('alice');
    const connectionsOnA = a.app.get(ConnectionManager);
    const sockets = await connectionsOnA.getSockets('alice');
    expect(sockets.map((s) => s.nodeId).sort()).toEqual(['node-1', 'node-2']);
    expect(sockets.map((s) => s.socketId).sort()).toEqual([onA.id, onB.id].sort());
    expect(await b.app.get(ConnectionManager).countConnections()).toBe(2);

    const closedA = disconnected(onA);
    const closedB = disconnected(onB);
    connectionsOnA.disconnectUser('alice');
    expect(await closedA).toBe('io server disconnect');
    expect(await closedB).toBe('io server disconnect');
    await eventually(async () => !(await connectionsOnA.isOnline('alice')), 3000, 'alice offline in the registry');
  });

  it('counts the per-user cap across nodes', async () => {
    cluster = await startCluster(2, { WS_MAX_CONNECTIONS_PER_USER: '2' }, mode);
    const [a, b] = cluster.nodes as [NonNullable<TestCluster['nodes'][0]>, NonNullable<TestCluster['nodes'][0]>];
    await a.connect('alice');
    await b.connect('alice');
    expect((await a.refuse({ token: a.token('alice') })).message).toBe('TOO_MANY_CONNECTIONS');
    expect((await b.refuse({ token: b.token('alice') })).message).toBe('TOO_MANY_CONNECTIONS');
  });
});

describe('one node through Redis', () => {
  let cluster: TestCluster;
  afterEach(() => cluster?.close());

  it('answers /health/ready 503 while Redis is down and 200 once it is back', async () => {
    cluster = await startCluster(1);
    const [a] = cluster.nodes as [NonNullable<TestCluster['nodes'][0]>];
    expect((await fetch(`${a.url}/health/ready`)).status).toBe(200);
    await cluster.redis.kill();
    await eventually(async () => (await fetch(`${a.url}/health/ready`)).status === 503, 5000, 'readiness 503');
    expect((await fetch(`${a.url}/health/live`)).status).toBe(200);
    await cluster.redis.start();
    await eventually(async () => (await fetch(`${a.url}/health/ready`)).status === 200, 8000, 'readiness 200');
  });
});

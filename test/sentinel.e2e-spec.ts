import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import type { ChatMessage } from '../src/modules/chat/index.js';
import { RedisClients } from '../src/core/websocket/internal.js';
import { startApp, type TestApp } from './support/app.js';
import { crossNodes, eventually, startTraffic } from './support/cluster.js';
import { request } from './support/events.js';
import { launchRedis, type TestRedis } from './support/redis-server.js';

const FEATURE = 'the Sentinel failover suite';
/** After the promotion, the nodes have this long to be whole again. */
const RECOVERY_MS = 15000;
/** The data nodes' password; the sentinels have none, so it must reach the data nodes only. */
const PASSWORD = 'data-node-secret';

/*
 * A primary, one replica and three sentinels, all redis-server processes of
 * this suite, and two app nodes that reach Redis only through the sentinels.
 */
describe('Redis Sentinel failover (e2e)', () => {
  let dir: string | undefined;
  const servers: TestRedis[] = [];
  const probes: Redis[] = [];
  const nodes: TestApp[] = [];
  const sockets: Socket[] = [];
  let primary: TestRedis;
  let replica: TestRedis;
  let sentinels: TestRedis[];

  const started = (server: TestRedis): TestRedis => (servers.push(server), server);
  const probe = (port: number, password?: string): Redis => {
    const client = new Redis({ port, host: '127.0.0.1', password, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    probes.push(client);
    return client;
  };

  /** The primary's port as the first sentinel names it. */
  const primaryPort = async (): Promise<number | undefined> => {
    const reply = (await probe(sentinels[0]!.port)
      .call('SENTINEL', 'get-master-addr-by-name', 'mymaster')
      .catch(() => null)) as [string, string] | null;
    return reply ? Number(reply[1]) : undefined;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nest-realtime-sentinel-'));
    // No diskless-sync delay, so the replica is in sync at once; the temp dir
    // gets the RDB the replica writes on its initial sync.
    const dataNode = ['--dir', dir, '--requirepass', PASSWORD, '--masterauth', PASSWORD, '--repl-diskless-sync-delay', '0'];
    primary = started(await launchRedis(FEATURE, { args: dataNode }));
    replica = started(await launchRedis(FEATURE, { args: [...dataNode, '--replicaof', '127.0.0.1', String(primary.port)] }));
    sentinels = [];
    for (const index of [1, 2, 3]) {
      // Each sentinel rewrites its own file, so each has one.
      const configFile = join(dir, `sentinel-${index}.conf`);
      await writeFile(
        configFile,
        [
          `dir ${dir}`,
          `sentinel monitor mymaster 127.0.0.1 ${primary.port} 2`,
          'sentinel down-after-milliseconds mymaster 1000',
          'sentinel failover-timeout mymaster 5000',
          `sentinel auth-pass mymaster ${PASSWORD}`,
          '',
        ].join('\n'),
      );
      sentinels.push(started(await launchRedis(FEATURE, { configFile, args: ['--sentinel'] })));
    }
    // A failover needs sentinels that know each other (quorum 2) and the replica, in sync.
    await eventually(
      async () => {
        for (const sentinel of sentinels) {
          const client = probe(sentinel.port);
          const peers = (await client.call('SENTINEL', 'sentinels', 'mymaster').catch(() => [])) as unknown[];
          const replicas = (await client.call('SENTINEL', 'replicas', 'mymaster').catch(() => [])) as unknown[];
          client.disconnect();
          if (peers.length !== 2 || replicas.length !== 1) return false;
        }
        const info = await probe(replica.port, PASSWORD)
          .info('replication')
          .catch(() => '');
        return info.includes('master_link_status:up');
      },
      20000,
      'the sentinels know each other and the replica',
    );

    const env = { REDIS_SENTINELS: sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(','), REDIS_PASSWORD: PASSWORD };
    nodes.push(await startApp({ ...env, NODE_ID: 'a' }), await startApp({ ...env, NODE_ID: 'b' }));
  }, 40000);

  afterAll(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await Promise.all(nodes.splice(0).map((node) => node.close().catch(() => undefined)));
    // An ended client's disconnect would leave ioredis a 2 s timer for a stream already closed.
    for (const client of probes.splice(0)) if (client.status !== 'end') client.disconnect();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const connect = async (node: TestApp, userId: string): Promise<Socket> => {
    const socket = await node.connect(userId, { claims: { rooms: ['*'] } });
    sockets.push(socket);
    return socket;
  };

  it('follows the promoted replica: no node crashes, readiness recovers, delivery, history and presence survive', async () => {
    const [a, b] = nodes as [TestApp, TestApp];
    const ann = await connect(a, 'ann');
    const bob = await connect(b, 'bob');
    for (const socket of [ann, bob]) expect(await request(socket, 'chat:join', { roomId: 'ops' })).toMatchObject({ ok: true });

    const before = await crossNodes(ann, bob, 'ops', 'before the failover');
    // Acknowledged by the replica too: what a failover keeps.
    expect(await probe(primary.port, PASSWORD).call('WAIT', '1', '1000')).toBe(1);

    const traffic = startTraffic([ann, bob], 'ops');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await primary.kill();
    const readiness = () => Promise.all(nodes.map((node) => fetch(`${node.url}/health/ready`).then((response) => response.status)));
    await eventually(async () => (await readiness()).every((status) => status === 503), 5000, 'both nodes report the outage');
    await eventually(async () => (await primaryPort()) === replica.port, 20000, 'the replica promoted');
    const promotedAt = Date.now();

    await eventually(async () => (await readiness()).every((status) => status === 200), RECOVERY_MS, 'both nodes ready again');
    // Room subscriptions renewed on the new primary before a message is sent to the room.
    await Promise.all(nodes.map((node) => node.app.get(RedisClients).subscriptionsSettled()));
    const after = await crossNodes(bob, ann, 'ops', 'after the failover');

    // The traffic goes on for a moment once the nodes are whole again.
    const recoveredAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { acknowledged, unanswered, refused } = await traffic.stop();
    // Every request was answered, with a message or an error, through the whole failover.
    expect(unanswered).toBe(0);
    const history = await request(ann, 'chat:history', { roomId: 'ops', limit: 100 });
    expect(history).toMatchObject({ ok: true });
    const kept = new Set((history.data.messages as ChatMessage[]).map((message) => message.id));
    expect(kept.has(before.id) && kept.has(after.id)).toBe(true);
    // What was acknowledged once the nodes were whole again is all there (earlier writes may not have reached the replica).
    const sinceRecovery = acknowledged.filter(({ at }) => at > recoveredAt);
    expect(sinceRecovery.length).toBeGreaterThan(0);
    expect(sinceRecovery.filter(({ id }) => !kept.has(id))).toEqual([]);
    const presence = await request(bob, 'presence:query', { userIds: ['ann'] });
    expect(presence.data.presence[0].status).toBe('online');
    for (const node of nodes) expect((await fetch(`${node.url}/health/live`)).status).toBe(200);
    expect(ann.connected && bob.connected).toBe(true);
    expect(recoveredAt - promotedAt).toBeLessThan(RECOVERY_MS);
    console.log(
      `Redis Sentinel failover: whole again ${recoveredAt - promotedAt} ms after the promotion; traffic: ${acknowledged.length} acknowledged, refused ${JSON.stringify(refused)}`,
    );
  }, 50000);
});

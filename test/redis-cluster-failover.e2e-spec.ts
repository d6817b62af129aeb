import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { RedisClients } from '../src/core/websocket/internal.js';
import type { ChatMessage } from '../src/modules/chat/index.js';
import type { PresenceEntry } from '../src/modules/presence/index.js';
import { startRedisCluster, type TestRedisCluster } from '../src/testing/redis-server.js';
import { startApp, type TestApp } from './support/app.js';
import { crossNodes, eventually, startTraffic } from './support/cluster.js';
import { collect, nextEvent, request } from './support/events.js';

/** After the promotion, the nodes have this long to be whole again. */
const RECOVERY_MS = 15000;
/** Users connected through the failover, none of whom may be announced offline. */
const USERS = 24;

/*
 * A 3-master, 3-replica Redis Cluster of this suite's own (it kills a master),
 * and two app nodes that reach it through REDIS_CLUSTER_NODES.
 */
describe('Redis Cluster failover (e2e)', () => {
  let cluster: TestRedisCluster;
  const nodes: TestApp[] = [];
  const sockets: Socket[] = [];
  const probes: Redis[] = [];

  const probe = (port: number): Redis => {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    probes.push(client);
    return client;
  };

  /** The port of the master serving `key`'s slot, as a live master says. */
  const masterOf = async (key: string): Promise<number> => {
    const [port] = await cluster.masters();
    const client = probe(port!);
    const slot = (await client.call('CLUSTER', 'KEYSLOT', key)) as number;
    const ranges = (await client.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
    const range = ranges.find(([from, to]) => slot >= from && slot <= to)!;
    return range[2][1];
  };

  beforeAll(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
    const env = { REDIS_CLUSTER_NODES: cluster.seeds, PRESENCE_OFFLINE_GRACE_MS: '2000', PRESENCE_HEARTBEAT_MS: '1000' };
    nodes.push(await startApp({ ...env, NODE_ID: 'a' }), await startApp({ ...env, NODE_ID: 'b' }));
  }, 30000);

  afterAll(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await Promise.all(nodes.splice(0).map((node) => node.close().catch(() => undefined)));
    for (const client of probes.splice(0)) if (client.status !== 'end') client.disconnect();
    await cluster?.stop();
  });

  const connect = async (node: TestApp, userId: string): Promise<Socket> => {
    const socket = await node.connect(userId, { claims: { rooms: ['*'] } });
    sockets.push(socket);
    return socket;
  };

  it('follows the promoted replica: no node crashes, and delivery, history and presence work again within 15 s without false offlines', async () => {
    const [a, b] = nodes as [TestApp, TestApp];
    const ann = await connect(a, 'ann');
    const bob = await connect(b, 'bob');
    for (const socket of [ann, bob]) expect(await request(socket, 'chat:join', { roomId: 'ops' })).toMatchObject({ ok: true });
    // Users whose keys land on every master, watched from node b.
    const users = Array.from({ length: USERS }, (_, i) => `user-${i}`);
    for (const [i, userId] of users.entries()) await connect(i % 2 ? a : b, userId);
    const watcher = await connect(b, 'watcher');
    const updates = collect<PresenceEntry>(watcher, 'presence:update');
    expect(await request(watcher, 'presence:subscribe', { userIds: [...users, 'ann'] })).toMatchObject({ ok: true });

    const before = await crossNodes(ann, bob, 'ops', 'before the failover');
    // The master of the room's history, which the test kills once a replica has the message.
    const victim = await masterOf('rt:chat:ops:messages');
    // The master's offset once the message is written; the nodes write on (heartbeats, sweeps), so the
    // replica is waited for up to this point, not to a master that keeps moving.
    const written = Number(/master_repl_offset:(\d+)/.exec(await probe(victim).info('replication'))?.[1]);
    await eventually(
      async () => Number(/slave0:.*offset=(\d+)/.exec(await probe(victim).info('replication'))?.[1]) >= written,
      5000,
      'the replica has every write of its master up to the message',
    );

    const traffic = startTraffic([ann, bob], 'ops');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killedAt = Date.now();
    await cluster.servers.find((server) => server.port === victim)!.kill();
    const readiness = () => Promise.all(nodes.map((node) => fetch(`${node.url}/health/ready`).then((response) => response.status)));
    await eventually(async () => (await readiness()).every((status) => status === 503), 5000, 'both nodes report the outage');
    await eventually(
      async () => {
        const masters = await cluster.masters();
        return masters.length === 3 && !masters.includes(victim);
      },
      20000,
      'a replica promoted in the place of the killed master',
    );
    const promotedAt = Date.now();

    await eventually(async () => (await readiness()).every((status) => status === 200), RECOVERY_MS, 'both nodes ready again');
    // Room subscriptions renewed on the new master before a message is sent to the room.
    await Promise.all(nodes.map((node) => node.app.get(RedisClients).subscriptionsSettled()));
    let after: ChatMessage | undefined;
    await eventually(
      async () => {
        after = await crossNodes(bob, ann, 'ops', `after the failover ${Date.now()}`).catch(() => undefined);
        return after !== undefined;
      },
      RECOVERY_MS,
      'a message crosses the nodes again',
    );
    // The traffic goes on for a moment once the nodes are whole again.
    const recoveredAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { acknowledged, refused, unanswered } = await traffic.stop();
    // Every request was answered, with a message or an error, through the whole failover.
    expect(unanswered).toBe(0);
    const history = await request(ann, 'chat:history', { roomId: 'ops', limit: 100 });
    expect(history).toMatchObject({ ok: true });
    const kept = new Set((history.data.messages as ChatMessage[]).map((message) => message.id));
    expect(kept.has(before.id) && kept.has(after!.id)).toBe(true);
    // What was acknowledged once the nodes were whole again is all there (earlier writes may not have reached the replica).
    const sinceRecovery = acknowledged.filter(({ at }) => at > recoveredAt);
    expect(sinceRecovery.length).toBeGreaterThan(0);
    expect(sinceRecovery.filter(({ id }) => !kept.has(id))).toEqual([]);
    const presence = await request(bob, 'presence:query', { userIds: ['ann', ...users] });
    expect((presence.data.presence as PresenceEntry[]).every((entry) => entry.status === 'online')).toBe(true);
    for (const node of nodes) {
      expect((await fetch(`${node.url}/health/live`)).status).toBe(200);
      expect((await fetch(`${node.url}/health/ready`)).status).toBe(200);
    }
    expect(recoveredAt - promotedAt).toBeLessThan(RECOVERY_MS);
    // A heartbeat and a grace period later, nobody connected was announced offline.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(updates.filter((update) => update.status === 'offline')).toEqual([]);
    expect(sockets.every((socket) => socket.connected)).toBe(true);
    console.log(
      `Redis Cluster failover: promoted ${promotedAt - killedAt} ms after the kill; whole again ${recoveredAt - promotedAt} ms later; traffic: ${acknowledged.length} acknowledged, refused ${JSON.stringify(refused)}`,
    );
  }, 60000);

  it("follows a room's channel when its slot moves to another master", async () => {
    const [a, b] = nodes as [TestApp, TestApp];
    const cid = await connect(a, 'cid');
    const dee = await connect(b, 'dee');
    for (const socket of [cid, dee]) expect(await request(socket, 'chat:join', { roomId: 'moving' })).toMatchObject({ ok: true });
    await Promise.all(nodes.map((node) => node.app.get(RedisClients).subscriptionsSettled()));
    const arriving = nextEvent<ChatMessage>(dee, 'chat:message');
    await request(cid, 'chat:send', { roomId: 'moving', text: 'before the move' });
    expect(await arriving).toMatchObject({ text: 'before the move' });

    // The sharded adapter's channel of the room (`<prefix>socket.io#<namespace>#<room>#`), and its slot.
    const channel = `rt:socket.io#/#chat:moving#`;
    const masters = await cluster.masters();
    const slot = (await probe(masters[0]!).call('CLUSTER', 'KEYSLOT', channel)) as number;
    const source = await masterOf(channel);
    const target = masters.find((port) => port !== source)!;
    const idOf = async (port: number) => (await probe(port).call('CLUSTER', 'MYID')) as string;
    const [sourceId, targetId] = [await idOf(source), await idOf(target)];
    // A slot migration as redis-cli --cluster reshard makes it (the slot holds no key of this suite's).
    await probe(target).call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', sourceId);
    await probe(source).call('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', targetId);
    for (const port of [target, source, ...masters.filter((port) => port !== source && port !== target)]) {
      await probe(port).call('CLUSTER', 'SETSLOT', String(slot), 'NODE', targetId);
    }
    expect(await masterOf(channel)).toBe(target);

    await eventually(
      async () => {
        const got = nextEvent<ChatMessage>(dee, 'chat:message', 500).catch(() => undefined);
        await request(cid, 'chat:send', { roomId: 'moving', text: 'after the move' });
        return (await got)?.text === 'after the move';
      },
      RECOVERY_MS,
      "the room's messages cross the nodes again",
    );
  }, 40000);
});

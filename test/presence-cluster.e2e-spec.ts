import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Socket } from 'socket.io-client';
import { ConnectionManager, RedisClients, RedisConnectionRegistry } from '../src/core/websocket/internal.js';
import { PresenceEvents, PresenceService, type PresenceChangedEvent, type PresenceEntry } from '../src/modules/presence/index.js';
import { openClient, ready, signToken, startApp, type TestApp } from './support/app.js';
import { eventually, REDIS_MODES, redisEnv, startCluster, type TestCluster } from './support/cluster.js';
import { collect, nextEvent, request, settle } from './support/events.js';
import { startNodeProcess, type NodeProcess } from './support/node-process.js';

const GRACE_MS = 300;
const HEARTBEAT_MS = 200;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const env = { PRESENCE_OFFLINE_GRACE_MS: String(GRACE_MS), PRESENCE_HEARTBEAT_MS: String(HEARTBEAT_MS) };

/** Waits one grace period and a margin (sweeps run every half grace): the only way to show an offline that must not come. */
const outlastGrace = (graceMs = GRACE_MS) => new Promise((resolve) => setTimeout(resolve, graceMs * 2 + 200));

/**
 * Negatives are proven with fences where one exists: every node publishes a
 * user's updates on the one Redis channel of that user's presence room, so
 * once a later update has arrived, a duplicate sent before it would have too.
 */
describe.each(REDIS_MODES)('presence across two nodes through %s (e2e)', (mode) => {
  let cluster: TestCluster;
  let node1: TestApp;
  let node2: TestApp;

  beforeEach(async () => {
    cluster = await startCluster(2, env, mode);
    [node1, node2] = cluster.nodes as [TestApp, TestApp];
  });

  afterEach(() => cluster?.close());

  const socketCount = (userId: string) => node1.app.get(ConnectionManager).getSockets(userId);

  /** Closes a client and waits until the cluster-wide registry has let go of it. */
  async function close(socket: Socket, userId: string): Promise<void> {
    const before = (await socketCount(userId)).length;
    socket.disconnect();
    await eventually(async () => (await socketCount(userId)).length === before - 1, 3000, `${userId}'s socket removed`);
  }

  /** A socket of `watcherId` on `node`, subscribed to `userIds`, with every update it receives. */
  async function watch(node: TestApp, watcherId: string, userIds: string[]) {
    const socket = await node.connect(watcherId);
    const updates = collect<PresenceEntry>(socket, 'presence:update');
    const reply = await request(socket, 'presence:subscribe', { userIds });
    expect(reply.ok).toBe(true);
    return { socket, updates, presence: reply.data.presence as PresenceEntry[] };
  }

  /** Every presence domain event raised on any node. */
  function domainEvents(): Array<[string, PresenceChangedEvent]> {
    const seen: Array<[string, PresenceChangedEvent]> = [];
    for (const node of [node1, node2]) {
      const events = node.app.get(EventEmitter2);
      for (const name of [PresenceEvents.online, PresenceEvents.offline])
        events.on(name, (event: PresenceChangedEvent) => seen.push([name, event]));
    }
    return seen;
  }

  it('shows a subscriber on node 2 a user on node 1 coming online, once', async () => {
    const remote = await watch(node2, 'watcher', ['alice']);
    const local = await watch(node1, 'watcher', ['alice']);
    expect(remote.presence).toEqual([{ userId: 'alice', status: 'offline', lastSeenAt: null }]);
    const seen = domainEvents();

    const online = [nextEvent<PresenceEntry>(remote.socket, 'presence:update'), nextEvent<PresenceEntry>(local.socket, 'presence:update')];
    const alice = await node1.connect('alice');
    const [onRemote, onLocal] = await Promise.all(online);
    expect(onRemote).toEqual({ userId: 'alice', status: 'online', lastSeenAt: expect.stringMatching(ISO) });
    expect(onLocal).toEqual(onRemote);

    // Fence: alice's next change travels the same channel.
    const fence = [nextEvent(remote.socket, 'presence:update'), nextEvent(local.socket, 'presence:update')];
    await request(alice, 'presence:set', { status: 'busy' });
    await Promise.all(fence);
    expect(remote.updates.map((entry) => entry.status)).toEqual(['online', 'busy']);
    expect(local.updates.map((entry) => entry.status)).toEqual(['online', 'busy']);
    expect(seen).toEqual([[PresenceEvents.online, { userId: 'alice', at: Date.parse(onRemote.lastSeenAt!) }]]);
  });

  it('changes nothing when the tab on node 1 of a user with tabs on both nodes closes, and goes offline once after the grace when both have', async () => {
    const tab1 = await node1.connect('alice');
    const tab2 = await node2.connect('alice');
    const on1 = await watch(node1, 'watcher', ['alice']);
    const on2 = await watch(node2, 'watcher', ['alice']);
    expect(on2.presence[0]!.status).toBe('online');
    const seen = domainEvents();

    await close(tab1, 'alice');
    await outlastGrace();
    await Promise.all([settle(on1.socket), settle(on2.socket)]);
    expect(on1.updates).toEqual([]);
    expect(on2.updates).toEqual([]);

    const offline = [
      nextEvent<PresenceEntry>(on1.socket, 'presence:update', 5000),
      nextEvent<PresenceEntry>(on2.socket, 'presence:update', 5000),
    ];
    const closedAt = Date.now();
    await close(tab2, 'alice');
    const removedAt = Date.now();
    const [seen1, seen2] = await Promise.all(offline);
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 20);
    expect(seen1).toEqual({ userId: 'alice', status: 'offline', lastSeenAt: expect.stringMatching(ISO) });
    expect(seen2).toEqual(seen1);
    // lastSeenAt is when the last socket left, not when the grace ran out.
    expect(Date.parse(seen1.lastSeenAt!)).toBeGreaterThanOrEqual(closedAt);
    expect(Date.parse(seen1.lastSeenAt!)).toBeLessThanOrEqual(removedAt);

    // Every node's sweeper has had its turns; then alice's return is the next thing each subscriber sees.
    await outlastGrace();
    const back = [nextEvent(on1.socket, 'presence:update'), nextEvent(on2.socket, 'presence:update')];
    await node1.connect('alice');
    await Promise.all(back);
    expect(on1.updates.map((entry) => entry.status)).toEqual(['offline', 'online']);
    expect(on2.updates.map((entry) => entry.status)).toEqual(['offline', 'online']);
    expect(seen.map(([name]) => name)).toEqual([PresenceEvents.offline, PresenceEvents.online]);
    expect(seen[0]![1].at).toBe(Date.parse(seen1.lastSeenAt!));
  });

  it('announces nothing when the last tab closes on node 1 and the user is back on node 2 within the grace', async () => {
    const tab = await node1.connect('alice');
    const { socket, updates } = await watch(node2, 'watcher', ['alice']);
    await close(tab, 'alice');
    await node2.connect('alice');
    await outlastGrace();
    await settle(socket);
    expect(updates).toEqual([]);
    expect((await request(socket, 'presence:query', { userIds: ['alice'] })).data.presence[0].status).toBe('online');
  });

  it('brings away set on node 1 to a subscriber on node 2, and to a query there', async () => {
    const alice = await node1.connect('alice');
    const { socket, updates } = await watch(node2, 'watcher', ['alice']);
    const update = nextEvent<PresenceEntry>(socket, 'presence:update');
    const reply = await request(alice, 'presence:set', { status: 'away' });
    expect(reply).toEqual({ ok: true, data: { userId: 'alice', status: 'away', lastSeenAt: expect.stringMatching(ISO) } });
    expect(await update).toEqual(reply.data);
    expect((await request(socket, 'presence:query', { userIds: ['alice'] })).data.presence).toEqual([reply.data]);

    // Setting it again from a tab on node 2 changes nothing; the next real change is the next update.
    const tab2 = await node2.connect('alice');
    expect((await request(tab2, 'presence:set', { status: 'away' })).data.status).toBe('away');
    const fence = nextEvent(socket, 'presence:update');
    await request(tab2, 'presence:set', { status: 'online' });
    await fence;
    expect(updates.map((entry) => entry.status)).toEqual(['away', 'online']);
  });
});

describe.each(REDIS_MODES)('presence when a node dies or drains, through %s (e2e)', (mode) => {
  let redis: Awaited<ReturnType<typeof redisEnv>>;
  let survivor: TestApp | undefined;
  let remote: NodeProcess | undefined;
  const clients: Socket[] = [];

  const connectTo = async (url: string, userId: string): Promise<Socket> => {
    const socket = openClient(url, { token: signToken(userId) });
    clients.push(socket);
    return ready(socket);
  };

  /**
   * Connects `userId` and resolves once their online announcement has reached
   * the survivor. It is decided after `session:ready` (the registry answered,
   * then the ledger), so a watcher subscribed right after could get it late;
   * announced once, it cannot come again.
   */
  const connectOnline = async (url: string, userId: string): Promise<Socket> => {
    const probe = await connectTo(survivor!.url, `probe-${userId}`);
    expect((await request(probe, 'presence:subscribe', { userIds: [userId] })).ok).toBe(true);
    const online = nextEvent<PresenceEntry>(probe, 'presence:update', 5000);
    const socket = await connectTo(url, userId);
    expect(await online).toMatchObject({ userId, status: 'online' });
    return socket;
  };

  /** A socket on the in-process survivor, subscribed to `userIds`. */
  async function watch(userIds: string[]) {
    const socket = await connectTo(survivor!.url, 'watcher');
    const updates = collect<PresenceEntry>(socket, 'presence:update');
    const reply = await request(socket, 'presence:subscribe', { userIds });
    expect(reply.ok).toBe(true);
    return { socket, updates, presence: reply.data.presence as PresenceEntry[] };
  }

  beforeEach(async () => {
    redis = await redisEnv(mode);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await remote?.stop();
    remote = undefined;
    await survivor?.close();
    survivor = undefined;
    await redis.stop();
  });

  const start = async (extra: Record<string, string> = {}) => {
    const shared = { ...redis.env, ...env, ...extra };
    survivor = await startApp({ ...shared, NODE_ID: 'survivor' });
    remote = await startNodeProcess({ ...shared, NODE_ID: 'victim', WS_SHUTDOWN_GRACE_MS: '2000', ...extra });
  };

  it('takes the users of a SIGKILLed node offline within three heartbeats and the grace, seen on the surviving node', async () => {
    await start();
    await connectOnline(remote!.url, 'alice');
    const bob = await connectOnline(survivor!.url, 'bob');
    const { socket, updates, presence } = await watch(['alice', 'bob']);
    expect(presence.map((entry) => entry.status)).toEqual(['online', 'online']);

    const offline = nextEvent<PresenceEntry>(socket, 'presence:update', HEARTBEAT_MS * 3 + GRACE_MS + 3000);
    const killedAt = Date.now();
    remote!.kill('SIGKILL');
    const update = await offline;
    expect(Date.now() - killedAt).toBeLessThan(HEARTBEAT_MS * 3 + GRACE_MS + 1000);
    expect(update).toEqual({ userId: 'alice', status: 'offline', lastSeenAt: expect.stringMatching(ISO) });

    // Bob, on the survivor, is untouched; his next change is the next update.
    const fence = nextEvent<PresenceEntry>(socket, 'presence:update');
    await request(bob, 'presence:set', { status: 'busy' });
    expect((await fence).userId).toBe('bob');
    expect(updates.map((entry) => [entry.userId, entry.status])).toEqual([
      ['alice', 'offline'],
      ['bob', 'busy'],
    ]);
  });

  it('settles a grace period started on a node that is SIGKILLed before it ends', async () => {
    await start();
    const alice = await connectOnline(remote!.url, 'alice');
    const { socket } = await watch(['alice']);
    const pending = () =>
      survivor!.app.get(RedisClients).command.zscore(`${RedisConnectionRegistry.groupOf(redis.prefix, 'alice')}presence:pending`, 'alice');

    const offline = nextEvent<PresenceEntry>(socket, 'presence:update', HEARTBEAT_MS * 3 + GRACE_MS + 3000);
    const leftAt = Date.now();
    alice.disconnect();
    // The victim recorded the grace (a timer of its own would die with it) ...
    await eventually(async () => (await pending()) !== null, 3000, 'the pending offline recorded');
    remote!.kill('SIGKILL');
    // ... and the survivor's sweeper ends it.
    const update = await offline;
    expect(update).toEqual({ userId: 'alice', status: 'offline', lastSeenAt: expect.stringMatching(ISO) });
    expect(Date.parse(update.lastSeenAt!)).toBeGreaterThanOrEqual(leftAt - 50);
    expect(Date.now() - leftAt).toBeGreaterThanOrEqual(GRACE_MS - 20);
  });

  it('never takes offline a user who moves to another node within the grace when their node drains, and the drained node exits 0', async () => {
    const graceMs = 1000;
    await start({ PRESENCE_OFFLINE_GRACE_MS: String(graceMs) });
    const alice = await connectOnline(remote!.url, 'alice');
    const { socket, updates } = await watch(['alice']);

    const notice = nextEvent(alice, 'server:shutdown', 5000);
    remote!.kill('SIGTERM');
    await notice;
    // A well-behaved client moves to another node.
    alice.disconnect();
    await connectTo(survivor!.url, 'alice');
    expect(await remote!.exited).toEqual({ code: 0, signal: null });

    await outlastGrace(graceMs);
    await settle(socket);
    expect(updates).toEqual([]);
    expect((await request(socket, 'presence:query', { userIds: ['alice'] })).data.presence[0].status).toBe('online');
  });

  it('still takes offline, from the surviving node, a user who does not come back after their node drained and exited', async () => {
    const graceMs = 1000;
    await start({ PRESENCE_OFFLINE_GRACE_MS: String(graceMs), WS_SHUTDOWN_GRACE_MS: '200' });
    await connectOnline(remote!.url, 'alice');
    const { socket, updates } = await watch(['alice']);

    const offline = nextEvent<PresenceEntry>(socket, 'presence:update', graceMs + 5000);
    remote!.kill('SIGTERM');
    expect(await remote!.exited).toEqual({ code: 0, signal: null });
    const exitedAt = Date.now();
    // The grace started on the drained node; it is gone, and the decision is still taken.
    expect(updates).toEqual([]);
    expect(await offline).toEqual({ userId: 'alice', status: 'offline', lastSeenAt: expect.stringMatching(ISO) });
    expect(Date.parse((await offline).lastSeenAt!)).toBeLessThan(exitedAt);
    // The draining node recorded the grace itself, after its modules were destroyed.
    expect(remote!.output()).not.toMatch(/Could not record the presence/);
  });

  // The shared servers stay up: the outage is on a server of the suite's own.
  if (mode === 'one server')
    it('survives a Redis outage without a crash, and announces a user who connected meanwhile once the registry is rebuilt', async () => {
      await start();
      const { socket } = await watch(['alice']);
      await redis.redis!.kill();
      // Admitted on that node only while the registry is unreachable.
      await connectTo(remote!.url, 'alice');
      const online = nextEvent<PresenceEntry>(socket, 'presence:update', 10_000);
      await redis.redis!.start();
      expect(await online).toMatchObject({ userId: 'alice', status: 'online' });
      expect(remote!.child.exitCode).toBeNull();
      expect(remote!.output()).not.toMatch(/Unhandled|unhandled rejection/i);
    });

  if (mode === 'one server')
    it('restates to its watchers an update published while its own subscriber was still reconnecting, once', async () => {
      await start();
      const { socket, updates } = await watch(['alice']);
      const sub = survivor!.app.get(RedisClients).sub;
      await redis.redis!.kill();
      await eventually(async () => sub.status !== 'ready', 3000, "the survivor's subscriber lost");
      // The survivor's subscriber stays away until the update has been published (and lost).
      sub.disconnect();
      await connectTo(remote!.url, 'alice');
      await redis.redis!.start();
      const presence = survivor!.app.get(PresenceService);
      await eventually(
        async () => (await presence.get(['alice']).catch(() => []))[0]?.status === 'online',
        10_000,
        'alice online in Redis',
      );
      await settle(socket);
      expect(updates).toEqual([]);

      const restated = nextEvent<PresenceEntry>(socket, 'presence:update', 5000);
      await sub.connect();
      expect(await restated).toMatchObject({ userId: 'alice', status: 'online' });
      // Fence: alice's next change arrives through the renewed subscription, after nothing else.
      const fence = nextEvent<PresenceEntry>(socket, 'presence:update', 5000);
      await request(clients.at(-1)!, 'presence:set', { status: 'busy' });
      await fence;
      expect(updates.map((entry) => entry.status)).toEqual(['online', 'busy']);
    });
});

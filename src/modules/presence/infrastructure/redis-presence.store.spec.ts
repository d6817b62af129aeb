import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisConnectionRegistry, type RedisClients } from '../../../core/websocket/index.js';
import { connectRedisClients } from '../../../testing/redis-clients.js';
import { startRedis, type TestRedis } from '../../../testing/redis-server.js';
import { describePresenceStoreContract } from '../ports/presence-store.contract.js';
import { RedisPresenceStore } from './redis-presence.store.js';

const GRACE = 200;
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

let redis: TestRedis;
let clients: RedisClients;

beforeAll(async () => {
  redis = await startRedis();
  clients = await connectRedisClients(redis.url);
});

afterAll(async () => {
  await clients?.close();
  await redis?.stop();
});

describePresenceStoreContract(
  'RedisPresenceStore',
  () => new RedisPresenceStore(clients, GRACE),
  async () => {
    await clients.command.flushall();
  },
);

describe('RedisPresenceStore as the cluster’s PresenceLedger', () => {
  let store: RedisPresenceStore;
  // The core's own registry writes the sockets, so a change to its key layout fails here first.
  let registry: RedisConnectionRegistry;

  beforeAll(() => {
    store = new RedisPresenceStore(clients, GRACE);
    registry = new RedisConnectionRegistry(clients);
  });

  afterEach(async () => {
    await clients.command.flushall();
  });

  const connect = (userId: string, socketId = `${userId}-1`, nodeId = 'n1') => registry.add({ socketId, userId, nodeId }, 20);
  const disconnect = (userId: string, socketId = `${userId}-1`, nodeId = 'n1') => registry.remove({ socketId, userId, nodeId });
  const statusOf = async (userId: string) => (await store.get([userId]))[0]!.status;
  const pending = () => clients.command.zrange('rt:presence:pending', '0', '-1');
  const afterGrace = () => new Promise((resolve) => setTimeout(resolve, GRACE + 20));

  describe('reconcile', () => {
    it('brings a user with a socket online, once', async () => {
      await connect('alice');
      expect(await store.reconcile('alice', T0)).toEqual({ userId: 'alice', status: 'online', lastSeenAt: iso(T0) });
      expect(await store.reconcile('alice', T0 + 1)).toBeNull();
      expect(await statusOf('alice')).toBe('online');
    });

    it('ignores a connection event whose socket is already gone: the registry has the last word', async () => {
      expect(await store.reconcile('alice', T0)).toBeNull();
      expect(await statusOf('alice')).toBe('offline');
      expect(await pending()).toEqual([]);
    });

    it('records a pending offline when the last socket is gone, and settles nothing before the deadline', async () => {
      await connect('alice');
      await store.reconcile('alice', T0);
      await disconnect('alice');
      expect(await store.reconcile('alice', T0 + 10)).toBeNull();
      expect(await pending()).toEqual(['alice']);
      expect(await store.settleDue()).toEqual([]);
      expect(await statusOf('alice')).toBe('online');
    });

    it('drops the pending offline when a socket is back, on any node', async () => {
      await connect('alice');
      await store.reconcile('alice', T0);
      await disconnect('alice');
      await store.reconcile('alice', T0 + 10);
      await connect('alice', 'alice-2', 'n2');
      expect(await store.reconcile('alice', T0 + 20)).toBeNull();
      expect(await pending()).toEqual([]);
      await afterGrace();
      expect(await store.settleDue()).toEqual([]);
      expect(await statusOf('alice')).toBe('online');
    });

    it('records nothing for a user who is not connected', async () => {
      await store.reconcile('ghost', T0);
      expect(await pending()).toEqual([]);
      expect(await store.get(['ghost'])).toEqual([{ userId: 'ghost', status: 'offline', lastSeenAt: null }]);
    });

    it('never moves lastSeenAt back when a late retry brings a user online', async () => {
      await connect('alice');
      await store.reconcile('alice', T0);
      await disconnect('alice');
      await store.reconcile('alice', T0 + 10);
      await afterGrace();
      await store.settleDue();
      await connect('alice');
      expect(await store.reconcile('alice', T0 + 5)).toEqual({ userId: 'alice', status: 'online', lastSeenAt: iso(T0 + 10) });
    });
  });

  describe('settleDue', () => {
    it('takes the user offline after the grace, stamped with the time the last socket left, for exactly one caller', async () => {
      await connect('alice');
      await store.reconcile('alice', T0);
      await store.setStatus('alice', 'busy', T0 + 1);
      await disconnect('alice');
      await store.reconcile('alice', T0 + 10);
      await afterGrace();
      const results = await Promise.all(Array.from({ length: 5 }, () => store.settleDue()));
      expect(results.flat()).toEqual([{ userId: 'alice', status: 'offline', lastSeenAt: iso(T0 + 10) }]);
      expect(await statusOf('alice')).toBe('offline');
      expect(await pending()).toEqual([]);
    });

    it('keeps a user whose socket came back without the pending entry being dropped', async () => {
      await connect('alice');
      await store.reconcile('alice', T0);
      await disconnect('alice');
      await store.reconcile('alice', T0 + 10);
      // Back on a node that died before its reconcile ran: only the registry knows.
      await connect('alice', 'alice-2', 'n2');
      await afterGrace();
      expect(await store.settleDue()).toEqual([]);
      expect(await statusOf('alice')).toBe('online');
      expect(await pending()).toEqual([]);
    });

    it('restarts the grace from the latest disconnect', async () => {
      await connect('alice');
      await store.reconcile('alice', T0);
      await disconnect('alice');
      await store.reconcile('alice', T0 + 10);
      await new Promise((resolve) => setTimeout(resolve, GRACE / 2));
      await store.reconcile('alice', T0 + 20);
      await new Promise((resolve) => setTimeout(resolve, GRACE / 2 + 20));
      expect(await store.settleDue()).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, GRACE / 2));
      expect(await store.settleDue()).toEqual([{ userId: 'alice', status: 'offline', lastSeenAt: iso(T0 + 20) }]);
    });

    it('still takes offline a user whose disconnect was never recorded (its node died first), one grace later', async () => {
      await connect('alice');
      await store.reconcile('alice', T0);
      await connect('bob');
      await store.reconcile('bob', T0);
      await disconnect('alice');
      // No reconcile for alice: the node that removed her last socket died before it could record the grace.
      const found = await store.settleDue();
      expect(found).toEqual([]);
      expect(await pending()).toEqual(['alice']);
      await afterGrace();
      const settled = await store.settleDue();
      expect(settled.map((entry) => [entry.userId, entry.status])).toEqual([['alice', 'offline']]);
      expect(await statusOf('bob')).toBe('online');
    });

    it('walks every present user with a cursor shared by all nodes', async () => {
      const users = Array.from({ length: 250 }, (_, i) => `user-${i}`);
      for (const userId of users) {
        await connect(userId);
        await store.reconcile(userId, T0);
      }
      await clients.command.del('rt:user:user-7', 'rt:user:user-249');
      do await store.settleDue();
      while ((await clients.command.get('rt:presence:scan')) !== '0');
      expect((await pending()).sort()).toEqual(['user-249', 'user-7']);
    });
  });
});

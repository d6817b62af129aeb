import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisConnectionRegistry, type RedisClients } from '../../../core/websocket/internal.js';
import { redisModes } from '../../../../test/support/redis-modes.js';
import { describePresenceLedgerContract } from '../ports/presence-ledger.suite.js';
import { describePresenceStoreContract } from '../ports/presence-store.suite.js';
import { RedisPresenceStore } from './redis-presence.store.js';

const GRACE = 200;
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

describe.each(redisModes())('RedisPresenceStore on $name', (mode) => {
  let clients: RedisClients;

  beforeAll(async () => {
    clients = await mode.connect();
  });

  afterAll(async () => {
    await clients?.close();
    await mode.stop();
  });

  describePresenceStoreContract(
    'RedisPresenceStore',
    () => new RedisPresenceStore(clients, GRACE),
    () => mode.clear(clients),
  );

  describePresenceLedgerContract(
    'RedisPresenceStore',
    // The core's own registry writes the sockets, so a change to its layout fails here first.
    () => {
      const store = new RedisPresenceStore(clients, GRACE);
      return { ledger: store, store, registry: new RedisConnectionRegistry(clients), graceMs: GRACE };
    },
    () => mode.clear(clients),
  );

  describe('RedisPresenceStore as the cluster’s PresenceLedger', () => {
    let store: RedisPresenceStore;
    let registry: RedisConnectionRegistry;

    beforeAll(() => {
      store = new RedisPresenceStore(clients, GRACE);
      registry = new RedisConnectionRegistry(clients);
    });

    afterEach(() => mode.clear(clients));

    const socketOf = (userId: string) => ({ socketId: `${userId}-1`, userId, nodeId: 'n1' });
    const connect = (userId: string) => registry.add(socketOf(userId), 20);
    const disconnect = (userId: string) => registry.remove(socketOf(userId));
    const statusOf = async (userId: string) => (await store.get([userId]))[0]!.status;
    const groups = () => RedisConnectionRegistry.groups(clients.prefix);
    /** The users with an offline pending, in every group. */
    const pending = async () =>
      (await Promise.all(groups().map((group) => clients.command.zrange(`${group}presence:pending`, '0', '-1')))).flat();
    const afterGrace = () => new Promise((resolve) => setTimeout(resolve, GRACE + 20));

    it('keeps an offline user for lastSeenTtlMs, and a present one for as long as they are present', async () => {
      const bounded = new RedisPresenceStore(clients, GRACE, 60_000);
      const keyOf = (userId: string) => `${RedisConnectionRegistry.groupOf(clients.prefix, userId)}presence:user:${userId}`;
      await bounded.markOnline('alice', T0);
      expect(await clients.command.pttl(keyOf('alice'))).toBe(-1);
      await bounded.markOffline('alice', T0 + 1);
      const ttl = await clients.command.pttl(keyOf('alice'));
      expect(ttl).toBeGreaterThan(59_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      // Back online: kept again.
      await bounded.markOnline('alice', T0 + 2);
      expect(await clients.command.pttl(keyOf('alice'))).toBe(-1);

      // The sweep's offline (a grace run out) is bounded too.
      await registry.add(socketOf('bob'), 20);
      await bounded.reconcile('bob', Date.now());
      await registry.remove(socketOf('bob'));
      await bounded.reconcile('bob', Date.now());
      await afterGrace();
      expect((await bounded.settleDue()).map((entry) => entry.userId)).toEqual(['bob']);
      expect(await clients.command.pttl(keyOf('bob'))).toBeGreaterThan(59_000);

      // Past the TTL a user reads as never seen.
      await clients.command.pexpire(keyOf('bob'), 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await bounded.get(['bob'])).toEqual([{ userId: 'bob', status: 'offline', lastSeenAt: null }]);
    });

    it('times nothing in this process: every grace period is an entry in Redis', async () => {
      await connect('alice');
      await store.reconcile('alice', T0);
      await disconnect('alice');
      await store.reconcile('alice', T0 + 10);
      expect(store.pendingGraceCount).toBe(0);
      expect(await pending()).toEqual(['alice']);
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
      // Gone without a word, as when their node's last act was to remove them.
      await disconnect('user-7');
      await disconnect('user-249');
      // Until each group's cursor has come back to the start.
      const walked = new Set<string>();
      while (walked.size < groups().length) {
        await store.settleDue();
        for (const group of groups()) if ((await clients.command.get(`${group}presence:scan`)) === '0') walked.add(group);
      }
      expect((await pending()).sort()).toEqual(['user-249', 'user-7']);
    });
  });
});

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { PresenceStore } from './presence-store.port.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The behaviour every `PresenceStore` twin shares. A twin's spec runs it with a
 * factory that returns an empty store (and may clean up after each test):
 *
 * @example
 * describePresenceStoreContract('InMemoryPresenceStore', () => new InMemoryPresenceStore());
 */
export function describePresenceStoreContract(
  name: string,
  factory: () => PresenceStore | Promise<PresenceStore>,
  cleanup?: (store: PresenceStore) => void | Promise<void>,
): void {
  describe(`${name} (PresenceStore contract)`, () => {
    let store: PresenceStore;

    beforeEach(async () => {
      store = await factory();
    });

    afterEach(async () => {
      await cleanup?.(store);
    });

    describe('get', () => {
      it('answers a never-seen user as offline with lastSeenAt null', async () => {
        expect(await store.get(['ghost'])).toEqual([{ userId: 'ghost', status: 'offline', lastSeenAt: null }]);
      });

      it('answers in the order asked, duplicates included', async () => {
        await store.markOnline('b', T0);
        const entries = await store.get(['a', 'b', 'a']);
        expect(entries.map((entry) => [entry.userId, entry.status])).toEqual([
          ['a', 'offline'],
          ['b', 'online'],
          ['a', 'offline'],
        ]);
      });

      it('answers an empty list with an empty list', async () => {
        expect(await store.get([])).toEqual([]);
      });

      it('never creates an entry by reading', async () => {
        await store.get(['ghost']);
        expect(await store.markOffline('ghost', T0)).toBeNull();
        expect(await store.setStatus('ghost', 'away', T0)).toBeNull();
      });
    });

    describe('markOnline', () => {
      it('brings a never-seen user online and stamps lastSeenAt', async () => {
        expect(await store.markOnline('u1', T0)).toEqual({ userId: 'u1', status: 'online', lastSeenAt: iso(T0) });
        expect(await store.get(['u1'])).toEqual([{ userId: 'u1', status: 'online', lastSeenAt: iso(T0) }]);
      });

      it('changes nothing for a user already online', async () => {
        await store.markOnline('u1', T0);
        expect(await store.markOnline('u1', T0 + 1000)).toBeNull();
        expect((await store.get(['u1']))[0]!.lastSeenAt).toBe(iso(T0));
      });

      it('keeps away and busy: a connected user is not reset by another socket', async () => {
        await store.markOnline('u1', T0);
        await store.setStatus('u1', 'busy', T0 + 1);
        expect(await store.markOnline('u1', T0 + 2)).toBeNull();
        expect((await store.get(['u1']))[0]!.status).toBe('busy');
      });

      it('brings an offline user back online', async () => {
        await store.markOnline('u1', T0);
        await store.markOffline('u1', T0 + 1);
        expect(await store.markOnline('u1', T0 + 2)).toEqual({ userId: 'u1', status: 'online', lastSeenAt: iso(T0 + 2) });
      });

      it('lets exactly one of many concurrent calls make the change', async () => {
        const results = await Promise.all(Array.from({ length: 10 }, () => store.markOnline('u1', T0)));
        expect(results.filter((result) => result !== null)).toHaveLength(1);
      });
    });

    describe('markOffline', () => {
      it('takes an online user offline and stamps lastSeenAt with the given time', async () => {
        await store.markOnline('u1', T0);
        expect(await store.markOffline('u1', T0 + 5000)).toEqual({ userId: 'u1', status: 'offline', lastSeenAt: iso(T0 + 5000) });
        expect(await store.get(['u1'])).toEqual([{ userId: 'u1', status: 'offline', lastSeenAt: iso(T0 + 5000) }]);
      });

      it('ends away and busy', async () => {
        await store.markOnline('u1', T0);
        await store.setStatus('u1', 'away', T0 + 1);
        expect((await store.markOffline('u1', T0 + 2))?.status).toBe('offline');
        expect((await store.markOnline('u1', T0 + 3))?.status).toBe('online');
      });

      it('changes nothing for a user already offline or never seen', async () => {
        expect(await store.markOffline('ghost', T0)).toBeNull();
        await store.markOnline('u1', T0);
        await store.markOffline('u1', T0 + 1);
        expect(await store.markOffline('u1', T0 + 2)).toBeNull();
        expect((await store.get(['u1']))[0]!.lastSeenAt).toBe(iso(T0 + 1));
      });

      it('lets exactly one of many concurrent calls make the change', async () => {
        await store.markOnline('u1', T0);
        const results = await Promise.all(Array.from({ length: 10 }, () => store.markOffline('u1', T0 + 1)));
        expect(results.filter((result) => result !== null)).toHaveLength(1);
      });
    });

    describe('setStatus', () => {
      it('sets away, busy and online again on a connected user', async () => {
        await store.markOnline('u1', T0);
        expect(await store.setStatus('u1', 'away', T0 + 1)).toEqual({ userId: 'u1', status: 'away', lastSeenAt: iso(T0 + 1) });
        expect(await store.setStatus('u1', 'busy', T0 + 2)).toEqual({ userId: 'u1', status: 'busy', lastSeenAt: iso(T0 + 2) });
        expect(await store.setStatus('u1', 'online', T0 + 3)).toEqual({ userId: 'u1', status: 'online', lastSeenAt: iso(T0 + 3) });
      });

      it('changes nothing when the status is already the one asked', async () => {
        await store.markOnline('u1', T0);
        expect(await store.setStatus('u1', 'online', T0 + 1)).toBeNull();
        await store.setStatus('u1', 'away', T0 + 2);
        expect(await store.setStatus('u1', 'away', T0 + 3)).toBeNull();
        expect((await store.get(['u1']))[0]!.lastSeenAt).toBe(iso(T0 + 2));
      });

      it('never sets a status on an offline or never-seen user', async () => {
        expect(await store.setStatus('ghost', 'away', T0)).toBeNull();
        await store.markOnline('u1', T0);
        await store.markOffline('u1', T0 + 1);
        expect(await store.setStatus('u1', 'busy', T0 + 2)).toBeNull();
        expect((await store.get(['u1']))[0]!.status).toBe('offline');
      });

      it('keeps users apart', async () => {
        await store.markOnline('u1', T0);
        await store.markOnline('u2', T0);
        await store.setStatus('u1', 'away', T0 + 1);
        expect((await store.get(['u1', 'u2'])).map((entry) => entry.status)).toEqual(['away', 'online']);
      });
    });
  });
}

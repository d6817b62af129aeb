import assert from 'node:assert/strict';
// The runner plumbing is the core's, shared by every module's port suites.
import { assertDeepEqual, resolveSuiteRunner, type SuiteRunner } from '../../../core/websocket/internal.js';
import type { PresenceStore } from './presence-store.port.js';

export type { SuiteRunner };

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The behaviour every `PresenceStore` twin shares. A twin's spec runs it with a
 * factory that returns an empty store (and may clean up after each test).
 * Outside Jest, pass the runner's functions last:
 *
 * @example
 * // Jest (globals):
 * describePresenceStoreContract('InMemoryPresenceStore', () => new InMemoryPresenceStore());
 * // node:test:
 * import { describe, it, beforeEach, afterEach } from 'node:test';
 * describePresenceStoreContract('InMemoryPresenceStore', () => new InMemoryPresenceStore(), undefined, { describe, it, beforeEach, afterEach });
 */
export function describePresenceStoreContract(
  name: string,
  factory: () => PresenceStore | Promise<PresenceStore>,
  cleanup?: (store: PresenceStore) => void | Promise<void>,
  runner?: SuiteRunner,
): void {
  const { describe, it, beforeEach, afterEach } = resolveSuiteRunner(runner);
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
        assertDeepEqual(await store.get(['ghost']), [{ userId: 'ghost', status: 'offline', lastSeenAt: null }]);
      });

      it('answers in the order asked, duplicates included', async () => {
        await store.markOnline('b', T0);
        const entries = await store.get(['a', 'b', 'a']);
        assertDeepEqual(
          entries.map((entry) => [entry.userId, entry.status]),
          [
            ['a', 'offline'],
            ['b', 'online'],
            ['a', 'offline'],
          ],
        );
      });

      it('answers an empty list with an empty list', async () => {
        assertDeepEqual(await store.get([]), []);
      });

      it('never creates an entry by reading', async () => {
        await store.get(['ghost']);
        assert.equal(await store.markOffline('ghost', T0), null);
        assert.equal(await store.setStatus('ghost', 'away', T0), null);
      });
    });

    describe('markOnline', () => {
      it('brings a never-seen user online and stamps lastSeenAt', async () => {
        assertDeepEqual(await store.markOnline('u1', T0), { userId: 'u1', status: 'online', lastSeenAt: iso(T0) });
        assertDeepEqual(await store.get(['u1']), [{ userId: 'u1', status: 'online', lastSeenAt: iso(T0) }]);
      });

      it('changes nothing for a user already online', async () => {
        await store.markOnline('u1', T0);
        assert.equal(await store.markOnline('u1', T0 + 1000), null);
        assert.equal((await store.get(['u1']))[0]!.lastSeenAt, iso(T0));
      });

      it('keeps away and busy: a connected user is not reset by another socket', async () => {
        await store.markOnline('u1', T0);
        await store.setStatus('u1', 'busy', T0 + 1);
        assert.equal(await store.markOnline('u1', T0 + 2), null);
        assert.equal((await store.get(['u1']))[0]!.status, 'busy');
      });

      it('brings an offline user back online', async () => {
        await store.markOnline('u1', T0);
        await store.markOffline('u1', T0 + 1);
        assertDeepEqual(await store.markOnline('u1', T0 + 2), { userId: 'u1', status: 'online', lastSeenAt: iso(T0 + 2) });
      });

      it('lets exactly one of many concurrent calls make the change', async () => {
        const results = await Promise.all(Array.from({ length: 10 }, () => store.markOnline('u1', T0)));
        assert.equal(results.filter((result) => result !== null).length, 1);
      });
    });

    describe('markOffline', () => {
      it('takes an online user offline and stamps lastSeenAt with the given time', async () => {
        await store.markOnline('u1', T0);
        assertDeepEqual(await store.markOffline('u1', T0 + 5000), { userId: 'u1', status: 'offline', lastSeenAt: iso(T0 + 5000) });
        assertDeepEqual(await store.get(['u1']), [{ userId: 'u1', status: 'offline', lastSeenAt: iso(T0 + 5000) }]);
      });

      it('ends away and busy', async () => {
        await store.markOnline('u1', T0);
        await store.setStatus('u1', 'away', T0 + 1);
        assert.equal((await store.markOffline('u1', T0 + 2))?.status, 'offline');
        assert.equal((await store.markOnline('u1', T0 + 3))?.status, 'online');
      });

      it('changes nothing for a user already offline or never seen', async () => {
        assert.equal(await store.markOffline('ghost', T0), null);
        await store.markOnline('u1', T0);
        await store.markOffline('u1', T0 + 1);
        assert.equal(await store.markOffline('u1', T0 + 2), null);
        assert.equal((await store.get(['u1']))[0]!.lastSeenAt, iso(T0 + 1));
      });

      it('lets exactly one of many concurrent calls make the change', async () => {
        await store.markOnline('u1', T0);
        const results = await Promise.all(Array.from({ length: 10 }, () => store.markOffline('u1', T0 + 1)));
        assert.equal(results.filter((result) => result !== null).length, 1);
      });
    });

    describe('setStatus', () => {
      it('sets away, busy and online again on a connected user', async () => {
        await store.markOnline('u1', T0);
        assertDeepEqual(await store.setStatus('u1', 'away', T0 + 1), { userId: 'u1', status: 'away', lastSeenAt: iso(T0 + 1) });
        assertDeepEqual(await store.setStatus('u1', 'busy', T0 + 2), { userId: 'u1', status: 'busy', lastSeenAt: iso(T0 + 2) });
        assertDeepEqual(await store.setStatus('u1', 'online', T0 + 3), { userId: 'u1', status: 'online', lastSeenAt: iso(T0 + 3) });
      });

      it('changes nothing when the status is already the one asked', async () => {
        await store.markOnline('u1', T0);
        assert.equal(await store.setStatus('u1', 'online', T0 + 1), null);
        await store.setStatus('u1', 'away', T0 + 2);
        assert.equal(await store.setStatus('u1', 'away', T0 + 3), null);
        assert.equal((await store.get(['u1']))[0]!.lastSeenAt, iso(T0 + 2));
      });

      it('never sets a status on an offline or never-seen user', async () => {
        assert.equal(await store.setStatus('ghost', 'away', T0), null);
        await store.markOnline('u1', T0);
        await store.markOffline('u1', T0 + 1);
        assert.equal(await store.setStatus('u1', 'busy', T0 + 2), null);
        assert.equal((await store.get(['u1']))[0]!.status, 'offline');
      });

      it('keeps users apart', async () => {
        await store.markOnline('u1', T0);
        await store.markOnline('u2', T0);
        await store.setStatus('u1', 'away', T0 + 1);
        assertDeepEqual(
          (await store.get(['u1', 'u2'])).map((entry) => entry.status),
          ['away', 'online'],
        );
      });
    });
  });
}

import assert from 'node:assert/strict';
// The runner plumbing is the core's, shared by every module's port suites.
import { assertDeepEqual, resolveSuiteRunner, type SuiteRunner } from '../../../core/websocket/internal.js';
import type { ConnectionRegistry } from '../../../core/websocket/internal.js';
import type { PresenceLedger } from './presence-ledger.port.js';
import type { PresenceStore } from './presence-store.port.js';

/** One empty ledger, with what it decides against and what it writes. */
export interface PresenceLedgerHarness {
  ledger: PresenceLedger;
  /** The store the ledger writes: the suite reads statuses and sets `busy` through it. */
  store: PresenceStore;
  /** The registry the ledger counts sockets in: the suite adds and removes sockets through it. */
  registry: ConnectionRegistry;
  /** The ledger's grace period, in milliseconds: keep it short, the suite waits it out. */
  graceMs: number;
}

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The behaviour every `PresenceLedger` twin shares. A twin's spec runs it with
 * a factory that returns an empty ledger with its store and registry (and may
 * clean up after each test). Outside Jest, pass the runner's functions last.
 *
 * @example
 * describePresenceLedgerContract('InMemoryPresenceLedger', () => {
 *   const store = new InMemoryPresenceStore();
 *   const registry = new InMemoryConnectionRegistry();
 *   return { ledger: new InMemoryPresenceLedger(store, registry, 100), store, registry, graceMs: 100 };
 * });
 */
export function describePresenceLedgerContract(
  name: string,
  factory: () => PresenceLedgerHarness | Promise<PresenceLedgerHarness>,
  cleanup?: (harness: PresenceLedgerHarness) => void | Promise<void>,
  runner?: SuiteRunner,
): void {
  const { describe, it, beforeEach, afterEach } = resolveSuiteRunner(runner);
  describe(`${name} (PresenceLedger contract)`, () => {
    let harness: PresenceLedgerHarness;
    let ledger: PresenceLedger;

    beforeEach(async () => {
      harness = await factory();
      ledger = harness.ledger;
    });

    afterEach(async () => {
      await cleanup?.(harness);
    });

    const connect = async (userId: string, socketId = `${userId}-1`, nodeId = 'n1') => {
      await harness.registry.add({ socketId, userId, nodeId }, 20);
    };
    const disconnect = async (userId: string, socketId = `${userId}-1`, nodeId = 'n1') => {
      await harness.registry.remove({ socketId, userId, nodeId });
    };
    const statusOf = async (userId: string) => (await harness.store.get([userId]))[0]!.status;
    const afterGrace = () => sleep(harness.graceMs + 30);

    describe('reconcile', () => {
      it('brings a user with a socket online, once', async () => {
        await connect('alice');
        assertDeepEqual(await ledger.reconcile('alice', T0), { userId: 'alice', status: 'online', lastSeenAt: iso(T0) });
        assert.equal(await ledger.reconcile('alice', T0 + 1), null);
        assert.equal(await statusOf('alice'), 'online');
      });

      it('ignores a connection event whose socket is already gone: the registry has the last word', async () => {
        assert.equal(await ledger.reconcile('alice', T0), null);
        assert.equal(await statusOf('alice'), 'offline');
        await afterGrace();
        assertDeepEqual(await ledger.settleDue(), []);
      });

      it('starts a grace when the last socket is gone, and settles nothing before it ends', async () => {
        await connect('alice');
        await ledger.reconcile('alice', T0);
        await disconnect('alice');
        assert.equal(await ledger.reconcile('alice', T0 + 10), null);
        assertDeepEqual(await ledger.settleDue(), []);
        assert.equal(await statusOf('alice'), 'online');
      });

      it('ends the grace when a socket is back, on any node', async () => {
        await connect('alice');
        await ledger.reconcile('alice', T0);
        await disconnect('alice');
        await ledger.reconcile('alice', T0 + 10);
        await connect('alice', 'alice-2', 'n2');
        assert.equal(await ledger.reconcile('alice', T0 + 20), null);
        await afterGrace();
        assertDeepEqual(await ledger.settleDue(), []);
        assert.equal(await statusOf('alice'), 'online');
      });

      it('records nothing for a user who is not connected', async () => {
        assert.equal(await ledger.reconcile('ghost', T0), null);
        assertDeepEqual(await harness.store.get(['ghost']), [{ userId: 'ghost', status: 'offline', lastSeenAt: null }]);
        await afterGrace();
        assertDeepEqual(await ledger.settleDue(), []);
      });

      it('never moves lastSeenAt back when a late retry brings a user online', async () => {
        await connect('alice');
        await ledger.reconcile('alice', T0);
        await disconnect('alice');
        await ledger.reconcile('alice', T0 + 10);
        await afterGrace();
        await ledger.settleDue();
        await connect('alice');
        assertDeepEqual(await ledger.reconcile('alice', T0 + 5), { userId: 'alice', status: 'online', lastSeenAt: iso(T0 + 10) });
      });
    });

    describe('settleDue', () => {
      it('takes the user offline after the grace, stamped with the time the last socket left, for exactly one caller', async () => {
        await connect('alice');
        await ledger.reconcile('alice', T0);
        await harness.store.setStatus('alice', 'busy', T0 + 1);
        await disconnect('alice');
        await ledger.reconcile('alice', T0 + 10);
        await afterGrace();
        const results = await Promise.all(Array.from({ length: 5 }, () => ledger.settleDue()));
        assertDeepEqual(results.flat(), [{ userId: 'alice', status: 'offline', lastSeenAt: iso(T0 + 10) }]);
        assert.equal(await statusOf('alice'), 'offline');
        assertDeepEqual(await ledger.settleDue(), []);
      });

      it('keeps a user whose socket came back without a reconcile to end the grace', async () => {
        await connect('alice');
        await ledger.reconcile('alice', T0);
        await disconnect('alice');
        await ledger.reconcile('alice', T0 + 10);
        // Back on a node that died before its reconcile ran: only the registry knows.
        await connect('alice', 'alice-2', 'n2');
        await afterGrace();
        assertDeepEqual(await ledger.settleDue(), []);
        assert.equal(await statusOf('alice'), 'online');
        await afterGrace();
        assertDeepEqual(await ledger.settleDue(), []);
      });

      it('restarts the grace from the latest disconnect', async () => {
        const { graceMs } = harness;
        await connect('alice');
        await ledger.reconcile('alice', T0);
        await disconnect('alice');
        await ledger.reconcile('alice', T0 + 10);
        await sleep(graceMs / 2);
        await ledger.reconcile('alice', T0 + 20);
        await sleep(graceMs / 2 + 20);
        assertDeepEqual(await ledger.settleDue(), []);
        await sleep(graceMs / 2);
        assertDeepEqual(await ledger.settleDue(), [{ userId: 'alice', status: 'offline', lastSeenAt: iso(T0 + 20) }]);
      });

      it('keeps users apart', async () => {
        await connect('alice');
        await connect('bob');
        await ledger.reconcile('alice', T0);
        await ledger.reconcile('bob', T0);
        await disconnect('alice');
        await ledger.reconcile('alice', T0 + 10);
        await afterGrace();
        assertDeepEqual(await ledger.settleDue(), [{ userId: 'alice', status: 'offline', lastSeenAt: iso(T0 + 10) }]);
        assert.equal(await statusOf('bob'), 'online');
      });
    });
  });
}

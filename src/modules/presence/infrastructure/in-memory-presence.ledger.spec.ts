import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { InMemoryConnectionRegistry } from '../../../core/websocket/internal.js';
import { describePresenceLedgerContract } from '../ports/presence-ledger.suite.js';
import { InMemoryPresenceLedger } from './in-memory-presence.ledger.js';
import { InMemoryPresenceStore } from './in-memory-presence.store.js';

const GRACE = 100;

describePresenceLedgerContract(
  'InMemoryPresenceLedger',
  () => {
    const store = new InMemoryPresenceStore();
    const registry = new InMemoryConnectionRegistry();
    return { ledger: new InMemoryPresenceLedger(store, registry, GRACE), store, registry, graceMs: GRACE };
  },
  ({ ledger }) => (ledger as InMemoryPresenceLedger).onModuleDestroy(),
);

describe('InMemoryPresenceLedger timers', () => {
  let store: InMemoryPresenceStore;
  let registry: InMemoryConnectionRegistry;
  let ledger: InMemoryPresenceLedger;
  let due: jest.Mock<() => void>;

  beforeEach(() => {
    jest.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    store = new InMemoryPresenceStore();
    registry = new InMemoryConnectionRegistry();
    ledger = new InMemoryPresenceLedger(store, registry, GRACE);
    due = jest.fn();
    ledger.onDue(due);
  });

  afterEach(() => {
    ledger.onModuleDestroy();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  const socket = { socketId: 'alice-1', userId: 'alice', nodeId: 'n1' };
  /** Alice online, then her last socket gone at `leftAt`. */
  async function aliceLeft(): Promise<number> {
    await registry.add(socket, 5);
    await ledger.reconcile('alice', Date.now());
    await registry.remove(socket);
    const leftAt = Date.now();
    await ledger.reconcile('alice', leftAt);
    return leftAt;
  }

  it('says a grace ran out exactly when it does, and has it settled by the next settleDue', async () => {
    const leftAt = await aliceLeft();
    expect(ledger.pendingGraceCount).toBe(1);
    await jest.advanceTimersByTimeAsync(GRACE - 1);
    expect(due).not.toHaveBeenCalled();
    expect(await ledger.settleDue()).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(due).toHaveBeenCalledTimes(1);
    expect(await ledger.settleDue()).toEqual([{ userId: 'alice', status: 'offline', lastSeenAt: new Date(leftAt).toISOString() }]);
    expect(ledger.pendingGraceCount).toBe(0);
  });

  it('counts no grace for a socket that came back, nor for a user who was never online', async () => {
    await aliceLeft();
    await registry.add(socket, 5);
    await ledger.reconcile('alice', Date.now());
    await ledger.reconcile('ghost', Date.now());
    expect(ledger.pendingGraceCount).toBe(0);
    await jest.advanceTimersByTimeAsync(GRACE * 2);
    expect(due).not.toHaveBeenCalled();
  });

  it('repairs a reconnect that races the offline decision: offline, then online again, never stuck', async () => {
    await aliceLeft();
    const markOffline = store.markOffline.bind(store);
    // A socket registers between the registry check and markOffline.
    jest.spyOn(store, 'markOffline').mockImplementation(async (userId, at) => {
      await registry.add(socket, 5);
      return markOffline(userId, at);
    });
    await jest.advanceTimersByTimeAsync(GRACE);
    const settled = await ledger.settleDue();
    expect(settled.map((entry) => entry.status)).toEqual(['offline', 'online']);
    expect((await store.get(['alice']))[0]!.status).toBe('online');
  });

  it('ends its grace periods on destroy and decides nothing after it', async () => {
    await aliceLeft();
    ledger.onModuleDestroy();
    expect(ledger.pendingGraceCount).toBe(0);
    await jest.advanceTimersByTimeAsync(GRACE * 2);
    expect(due).not.toHaveBeenCalled();
    await registry.add({ socketId: 'bob-1', userId: 'bob', nodeId: 'n1' }, 5);
    expect(await ledger.reconcile('bob', Date.now())).toBeNull();
    expect((await store.get(['alice', 'bob'])).map((entry) => entry.status)).toEqual(['online', 'offline']);
  });

  it('unrefs its grace timers so they never keep the process alive', async () => {
    const unref = jest.fn();
    const realSetTimeout = globalThis.setTimeout;
    const spy = jest.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms: number) => {
      const timer = realSetTimeout(fn, ms);
      timer.unref = unref.mockReturnValue(timer) as never;
      return timer;
    }) as never);
    await aliceLeft();
    spy.mockRestore();
    expect(unref).toHaveBeenCalledTimes(1);
  });
});

import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { RealtimeEmitter } from '../../../core/websocket/index.js';
import type { PresenceEntry } from '../domain/presence-entry.js';
import { PresenceEvents, type PresenceChangedEvent } from '../domain/presence-events.js';
import { presenceRoom } from './presence-rooms.js';
import { InMemoryPresenceStore } from '../infrastructure/in-memory-presence.store.js';
import type { PresenceLedger } from '../ports/presence-ledger.port.js';
import { PresenceService } from './presence.service.js';

const GRACE = 1000;
const T0 = Date.UTC(2030, 0, 1);
const entry = (userId: string, status: PresenceEntry['status'], at: number): PresenceEntry => ({
  userId,
  status,
  lastSeenAt: new Date(at).toISOString(),
});

/**
 * With a ledger in shared state (Redis in a cluster), which may fail or be
 * slow: here a stand-in, for what Redis does when it is down or slow; the
 * Redis twin itself runs the ledger contract in its own spec.
 */
describe('PresenceService with a ledger in shared state (cluster)', () => {
  let ledger: {
    reconcile: jest.Mock<PresenceLedger['reconcile']>;
    settleDue: jest.Mock<PresenceLedger['settleDue']>;
    onDue: jest.Mock<PresenceLedger['onDue']>;
    pendingGraceCount: number;
  };
  let events: EventEmitter2;
  let service: PresenceService;
  let updates: Array<[string, PresenceEntry]>;
  let domain: Array<[string, PresenceChangedEvent]>;

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    ledger = { reconcile: jest.fn(async () => null), settleDue: jest.fn(async () => []), onDue: jest.fn(), pendingGraceCount: 0 };
    events = new EventEmitter2();
    updates = [];
    domain = [];
    const emitter = {
      toRoom: (room: string) => ({ emit: (_event: string, payload: PresenceEntry) => updates.push([room, payload]) }),
    } as unknown as RealtimeEmitter;
    events.on(PresenceEvents.online, (event: PresenceChangedEvent) => domain.push([PresenceEvents.online, event]));
    events.on(PresenceEvents.offline, (event: PresenceChangedEvent) => domain.push([PresenceEvents.offline, event]));
    service = new PresenceService(new InMemoryPresenceStore(), ledger as unknown as PresenceLedger, emitter, events, {
      offlineGraceMs: GRACE,
      maxWatchedPerSocket: 1000,
      lastSeenTtlMs: 0,
    });
  });

  afterEach(() => {
    service.onModuleDestroy();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('lets the ledger decide both connection events, and announces the online it returns once', async () => {
    ledger.reconcile.mockResolvedValueOnce(entry('alice', 'online', T0));
    await service.userConnected({ userId: 'alice', at: T0 });
    service.userDisconnected({ userId: 'alice', at: T0 + 5 });
    await jest.advanceTimersByTimeAsync(0);
    expect(ledger.reconcile.mock.calls).toEqual([
      ['alice', T0],
      ['alice', T0 + 5],
    ]);
    expect(updates).toEqual([[presenceRoom('alice'), entry('alice', 'online', T0)]]);
    expect(domain).toEqual([[PresenceEvents.online, { userId: 'alice', at: T0 }]]);
  });

  it('announces each offline the sweep settles, stamped with the time the last socket left', async () => {
    ledger.settleDue.mockResolvedValueOnce([entry('alice', 'offline', T0 - 1500), entry('bob', 'offline', T0 - 1200)]);
    await service.sweep();
    expect(updates.map(([room, update]) => [room, update.status])).toEqual([
      [presenceRoom('alice'), 'offline'],
      [presenceRoom('bob'), 'offline'],
    ]);
    expect(domain).toEqual([
      [PresenceEvents.offline, { userId: 'alice', at: T0 - 1500 }],
      [PresenceEvents.offline, { userId: 'bob', at: T0 - 1200 }],
    ]);
  });

  it('keeps announcing when a presence.offline listener throws', async () => {
    events.prependListener(PresenceEvents.offline, () => {
      throw new Error('listener bug');
    });
    ledger.settleDue.mockResolvedValueOnce([entry('alice', 'offline', T0), entry('bob', 'offline', T0)]);
    await service.sweep();
    expect(updates.map(([, update]) => update.userId)).toEqual(['alice', 'bob']);
  });

  it('survives Redis being down: nothing rejects, the event is retried on a later sweep with its own time, the outage is logged once', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    ledger.reconcile.mockRejectedValue(new Error('Connection is closed.'));
    ledger.settleDue.mockRejectedValueOnce(new Error('Connection is closed.'));
    await expect(service.userConnected({ userId: 'alice', at: T0 })).resolves.toBeUndefined();
    service.userDisconnected({ userId: 'bob', at: T0 + 1 });
    await service.sweep();
    await jest.advanceTimersByTimeAsync(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(ledger.reconcile).toHaveBeenCalledTimes(2);

    ledger.reconcile.mockReset();
    ledger.reconcile.mockImplementation(async (userId, at) => (userId === 'alice' ? entry('alice', 'online', at) : null));
    await service.sweep();
    expect(ledger.reconcile.mock.calls.sort()).toEqual([
      ['alice', T0],
      ['bob', T0 + 1],
    ]);
    expect(updates.map(([, update]) => [update.userId, update.status])).toEqual([['alice', 'online']]);
    // Retried once: settled users are not tried again.
    await service.sweep();
    expect(ledger.reconcile).toHaveBeenCalledTimes(2);
  });

  it('sweeps every half grace on an unref’d interval from bootstrap, and stops on destroy', async () => {
    const unref = jest.fn();
    const realSetInterval = globalThis.setInterval;
    const spy = jest.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms: number) => {
      const timer = realSetInterval(fn, ms);
      timer.unref = unref.mockReturnValue(timer) as never;
      return timer;
    }) as never);
    service.onApplicationBootstrap();
    spy.mockRestore();
    expect(unref).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(GRACE / 2 - 1);
    expect(ledger.settleDue).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(ledger.settleDue).toHaveBeenCalledTimes(1);
    service.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(GRACE * 5);
    expect(ledger.settleDue).toHaveBeenCalledTimes(1);
  });

  it('still records the last-socket events a draining node raises after destroy', async () => {
    service.onApplicationBootstrap();
    service.onModuleDestroy();
    service.userDisconnected({ userId: 'alice', at: T0 });
    await jest.advanceTimersByTimeAsync(0);
    expect(ledger.reconcile).toHaveBeenCalledWith('alice', T0);
  });

  it('does not overlap sweeps when Redis is slow', async () => {
    let release!: () => void;
    ledger.settleDue.mockImplementationOnce(() => new Promise((resolve) => (release = () => resolve([]))));
    const first = service.sweep();
    await service.sweep();
    expect(ledger.settleDue).toHaveBeenCalledTimes(1);
    release();
    await first;
  });
});

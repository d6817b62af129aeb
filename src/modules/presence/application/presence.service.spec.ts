import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InMemoryConnectionRegistry, runInTenant, scopedKeyOf, type RealtimeEmitter } from '../../../core/websocket/internal.js';
import { PresenceEvents, type PresenceChangedEvent } from '../domain/presence-events.js';
import type { PresenceEntry } from '../domain/presence-entry.js';
import { presenceRoom } from './presence-rooms.js';
import { InMemoryPresenceLedger } from '../infrastructure/in-memory-presence.ledger.js';
import { InMemoryPresenceStore } from '../infrastructure/in-memory-presence.store.js';
import { PresenceService } from './presence.service.js';

const GRACE = 1000;

/** One node with the in-memory twins: the real store, ledger and registry; only the socket server behind the emitter is faked. */
describe('PresenceService', () => {
  let store: InMemoryPresenceStore;
  let registry: InMemoryConnectionRegistry;
  let ledger: InMemoryPresenceLedger;
  let events: EventEmitter2;
  let service: PresenceService;
  let updates: Array<[string, PresenceEntry & { event: string }]>;
  let domain: Array<[string, PresenceChangedEvent]>;
  let sockets: number;
  let restated: Array<[string, PresenceEntry & { event: string }]>;
  let localRooms: string[];
  let emitter: RealtimeEmitter;

  beforeEach(() => {
    jest.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    store = new InMemoryPresenceStore();
    registry = new InMemoryConnectionRegistry();
    ledger = new InMemoryPresenceLedger(store, registry, GRACE);
    events = new EventEmitter2();
    updates = [];
    restated = [];
    localRooms = [];
    domain = [];
    sockets = 0;
    emitter = {
      toRoom: (room: string) => ({ emit: (event: string, entry: PresenceEntry) => updates.push([room, { ...entry, event }]) }),
      toLocalRoom: (room: string) => ({ emit: (event: string, entry: PresenceEntry) => restated.push([room, { ...entry, event }]) }),
      localRooms: () => localRooms.values(),
    } as unknown as RealtimeEmitter;
    events.on(PresenceEvents.online, (event: PresenceChangedEvent) => domain.push([PresenceEvents.online, event]));
    events.on(PresenceEvents.offline, (event: PresenceChangedEvent) => domain.push([PresenceEvents.offline, event]));
    service = new PresenceService(store, ledger, emitter, events, { offlineGraceMs: GRACE, maxWatchedPerSocket: 1000, lastSeenTtlMs: 0 });
  });

  afterEach(() => {
    // In the order Nest destroys them: the service, then the ledger it depends on.
    service.onModuleDestroy();
    ledger.onModuleDestroy();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  /** A socket of the user on this node; the core raises userConnected for the first one only, as here. */
  const connect = async (userId: string, nodeId = 'n1') => {
    const socketId = `${userId}-${++sockets}`;
    const { count } = await registry.add({ socketId, userId, nodeId }, 10);
    if (count === 1) await service.userConnected({ userId, at: Date.now() });
    return { socketId, userId, nodeId };
  };
  const disconnect = async (entry: { socketId: string; userId: string; nodeId: string }) => {
    const { count } = await registry.remove(entry);
    if (count === 0) service.userDisconnected({ userId: entry.userId, at: Date.now() });
    // The decision is queued: let it run, as the event loop would.
    await jest.advanceTimersByTimeAsync(0);
  };
  const statuses = () => updates.map(([, entry]) => entry.status);

  it('announces online to the user’s presence room and publishes presence.online once', async () => {
    const at = Date.now();
    await connect('alice');
    await connect('alice');
    expect(updates).toEqual([
      [presenceRoom('alice'), { userId: 'alice', status: 'online', lastSeenAt: new Date(at).toISOString(), event: 'presence:update' }],
    ]);
    expect(domain).toEqual([[PresenceEvents.online, { userId: 'alice', at }]]);
  });

  it('goes offline after the grace period, stamped with the time the last socket left', async () => {
    const tab = await connect('alice');
    const leftAt = Date.now();
    await disconnect(tab);
    expect(service.pendingGraceCount).toBe(1);
    await jest.advanceTimersByTimeAsync(GRACE - 1);
    expect(statuses()).toEqual(['online']);
    await jest.advanceTimersByTimeAsync(1);
    expect(statuses()).toEqual(['online', 'offline']);
    expect(updates[1]![1].lastSeenAt).toBe(new Date(leftAt).toISOString());
    expect(domain.map(([name, event]) => [name, event.at])).toEqual([
      [PresenceEvents.online, leftAt],
      [PresenceEvents.offline, leftAt],
    ]);
    expect(service.pendingGraceCount).toBe(0);
  });

  it('changes nothing when one of two tabs closes', async () => {
    const tab1 = await connect('alice');
    await connect('alice');
    await disconnect(tab1);
    expect(service.pendingGraceCount).toBe(0);
    await jest.advanceTimersByTimeAsync(GRACE * 2);
    expect(statuses()).toEqual(['online']);
  });

  it('announces nothing when a socket comes back within the grace period', async () => {
    await disconnect(await connect('alice'));
    await jest.advanceTimersByTimeAsync(GRACE / 2);
    await connect('alice');
    expect(service.pendingGraceCount).toBe(0);
    await jest.advanceTimersByTimeAsync(GRACE * 2);
    expect(statuses()).toEqual(['online']);
    expect(domain).toHaveLength(1);
  });

  it('restarts the grace period from the latest disconnect', async () => {
    await disconnect(await connect('alice'));
    await jest.advanceTimersByTimeAsync(GRACE / 2);
    await disconnect(await connect('alice'));
    await jest.advanceTimersByTimeAsync(GRACE - 1);
    expect(statuses()).toEqual(['online']);
    await jest.advanceTimersByTimeAsync(1);
    expect(statuses()).toEqual(['online', 'offline']);
  });

  it('trusts the registry over the timer: a user with a socket stays present', async () => {
    await disconnect(await connect('alice'));
    // Counted by the registry with no userConnected on this service (it went to a node that died before telling it).
    await registry.add({ socketId: 'alice-elsewhere', userId: 'alice', nodeId: 'n2' }, 10);
    await jest.advanceTimersByTimeAsync(GRACE);
    expect(statuses()).toEqual(['online']);
  });

  it('repairs a reconnect that races the offline decision: offline, then online again, never stuck', async () => {
    await disconnect(await connect('alice'));
    const markOffline = store.markOffline.bind(store);
    // A socket registers between the registry check and markOffline.
    jest.spyOn(store, 'markOffline').mockImplementation(async (userId, at) => {
      await registry.add({ socketId: 'alice-racing', userId, nodeId: 'n2' }, 10);
      return markOffline(userId, at);
    });
    await jest.advanceTimersByTimeAsync(GRACE);
    expect(statuses()).toEqual(['online', 'offline', 'online']);
    expect(domain.map(([name]) => name)).toEqual([PresenceEvents.online, PresenceEvents.offline, PresenceEvents.online]);
    expect((await store.get(['alice']))[0]!.status).toBe('online');
  });

  it('sets a chosen status once, keeps it across sockets, and ends it when the user goes offline', async () => {
    const tab1 = await connect('alice');
    expect((await service.setStatus('alice', 'away')).status).toBe('away');
    expect((await service.setStatus('alice', 'away')).status).toBe('away');
    const tab2 = await connect('alice');
    expect(statuses()).toEqual(['online', 'away']);
    await disconnect(tab1);
    await disconnect(tab2);
    await jest.advanceTimersByTimeAsync(GRACE);
    await connect('alice');
    expect(statuses()).toEqual(['online', 'away', 'offline', 'online']);
    // away and busy are no domain events.
    expect(domain.map(([name]) => name)).toEqual([PresenceEvents.online, PresenceEvents.offline, PresenceEvents.online]);
  });

  it('answers a status set on someone offline with their entry, and announces nothing', async () => {
    expect(await service.setStatus('ghost', 'busy')).toEqual({ userId: 'ghost', status: 'offline', lastSeenAt: null });
    expect(updates).toEqual([]);
  });

  it('runs one user’s transitions in order even when the store is slow', async () => {
    const markOnline = store.markOnline.bind(store);
    jest.spyOn(store, 'markOnline').mockImplementation(async (userId, at) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return markOnline(userId, at);
    });
    await registry.add({ socketId: 'alice-1', userId: 'alice', nodeId: 'n1' }, 10);
    const online = service.userConnected({ userId: 'alice', at: Date.now() });
    const busy = service.setStatus('alice', 'busy');
    await jest.advanceTimersByTimeAsync(10);
    await Promise.all([online, busy]);
    expect(statuses()).toEqual(['online', 'busy']);
  });

  it('keeps announcing when a presence.offline listener throws', async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    events.prependListener(PresenceEvents.offline, () => {
      throw new Error('listener bug');
    });
    await disconnect(await connect('alice'));
    await disconnect(await connect('bob'));
    await jest.advanceTimersByTimeAsync(GRACE);
    expect(updates.filter(([, entry]) => entry.status === 'offline').map(([, entry]) => entry.userId)).toEqual(['alice', 'bob']);
  });

  it('ends pending grace periods on destroy and announces nothing after it', async () => {
    await disconnect(await connect('alice'));
    expect(service.pendingGraceCount).toBe(1);
    service.onModuleDestroy();
    ledger.onModuleDestroy();
    expect(service.pendingGraceCount).toBe(0);
    await jest.advanceTimersByTimeAsync(GRACE * 2);
    await disconnect(await connect('bob'));
    expect(service.pendingGraceCount).toBe(0);
    expect(statuses()).toEqual(['online']);
  });

  it('also settles on its periodic sweep from bootstrap, which it stops on destroy', async () => {
    const settleDue = jest.spyOn(ledger, 'settleDue');
    service.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(GRACE / 2);
    expect(settleDue).toHaveBeenCalledTimes(1);
    service.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(GRACE * 5);
    expect(settleDue).toHaveBeenCalledTimes(1);
  });

  it('restates to local watchers only the watched entries that may have changed since pushes were lost', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const since = Date.now();
    await store.markOnline('before', since - 10_000);
    await store.markOffline('before', since - 10_000 + 1);
    await store.markOnline('skewed', since - 1000);
    await store.markOnline('offlineLate', since - 20_000);
    // Left before the loss, decided one grace later: inside the window.
    await store.markOffline('offlineLate', since - GRACE);
    await store.markOnline('during', since + 500);
    await store.markOnline('unwatched', since + 500);
    localRooms = ['socket-1', 'user:during', ...['before', 'skewed', 'offlineLate', 'during', 'never'].map(presenceRoom)];

    await service.restate(since);
    expect(restated.map(([room, entry]) => [room, entry.status, entry.event])).toEqual([
      [presenceRoom('skewed'), 'online', 'presence:update'],
      [presenceRoom('offlineLate'), 'offline', 'presence:update'],
      [presenceRoom('during'), 'online', 'presence:update'],
    ]);
    // A restatement is no change: nothing goes to other nodes, no domain event.
    expect(updates).toEqual([]);
    expect(domain).toEqual([]);
    expect(log).toHaveBeenCalledWith('Restated the presence of 3 watched users after missed pushes');
  });

  it('logs and gives up a restatement when the store cannot be read', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(store, 'get').mockRejectedValue(new Error('Connection is closed.'));
    localRooms = [presenceRoom('alice')];
    await expect(service.restate(Date.now())).resolves.toBeUndefined();
    expect(restated).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Could not restate presence'));
  });

  describe('with tenants', () => {
    const connectIn = async (tenant: string, userId: string) => {
      const entry = { socketId: `${tenant}-${userId}-${++sockets}`, userId: scopedKeyOf(tenant, userId), nodeId: 'n1' };
      const { count } = await registry.add(entry, 10);
      if (count === 1) await runInTenant(tenant, () => service.userConnected({ userId, tenant, at: Date.now() }));
      return { entry, tenant, userId };
    };

    it('keeps the same user id in two tenants apart, and announces each with the plain id in its tenant’s room', async () => {
      const acme = await connectIn('acme', 'ann');
      await connectIn('globex', 'ann');
      expect(updates.map(([room, entry]) => [room, entry.userId, entry.status])).toEqual([
        ['presence:acme/ann', 'ann', 'online'],
        ['presence:globex/ann', 'ann', 'online'],
      ]);
      expect(domain.map(([, event]) => [event.userId, event.tenant])).toEqual([
        ['ann', 'acme'],
        ['ann', 'globex'],
      ]);

      await expect(runInTenant('acme', () => service.setStatus('ann', 'busy'))).resolves.toMatchObject({ userId: 'ann', status: 'busy' });
      expect(await runInTenant('acme', () => service.get(['ann', 'bob']))).toMatchObject([
        { userId: 'ann', status: 'busy' },
        { userId: 'bob', status: 'offline', lastSeenAt: null },
      ]);
      expect(await runInTenant('globex', () => service.get(['ann']))).toMatchObject([{ userId: 'ann', status: 'online' }]);
      // Outside any tenant, neither is there.
      expect(await service.get(['ann'])).toEqual([{ userId: 'ann', status: 'offline', lastSeenAt: null }]);

      // acme's ann leaves: offline after the grace, in acme only (the sweep runs in no tenant's scope).
      await registry.remove(acme.entry);
      runInTenant('acme', () => service.userDisconnected({ userId: 'ann', tenant: 'acme', at: Date.now() }));
      await jest.advanceTimersByTimeAsync(GRACE);
      expect(updates.slice(3).map(([room, entry]) => [room, entry.userId, entry.status])).toEqual([
        ['presence:acme/ann', 'ann', 'offline'],
      ]);
      expect(domain.slice(2).map(([name, event]) => [name, event.userId, event.tenant])).toEqual([[PresenceEvents.offline, 'ann', 'acme']]);
      expect(await runInTenant('globex', () => service.get(['ann']))).toMatchObject([{ status: 'online' }]);
    });

    it('keeps an id holding a / outside any tenant apart from a tenant’s user of the same spelling', async () => {
      await connectIn('acme', 'ann');
      const plain = { socketId: `plain-${++sockets}`, userId: scopedKeyOf(undefined, 'acme/ann'), nodeId: 'n1' };
      await registry.add(plain, 10);
      await service.userConnected({ userId: 'acme/ann', at: Date.now() });
      expect(updates.map(([room, entry]) => [room, entry.userId])).toEqual([
        ['presence:acme/ann', 'ann'],
        ['presence:/acme/ann', 'acme/ann'],
      ]);
      expect(await service.get(['acme/ann'])).toMatchObject([{ userId: 'acme/ann', status: 'online' }]);
      await runInTenant('acme', () => service.setStatus('ann', 'busy'));
      expect(await service.get(['acme/ann'])).toMatchObject([{ userId: 'acme/ann', status: 'online' }]);
    });

    it('restates each tenant’s watched users to that tenant’s watchers, with plain ids', async () => {
      const since = Date.now();
      await store.markOnline(scopedKeyOf('acme', 'ann'), since + 1);
      await store.markOnline(scopedKeyOf('globex', 'bob'), since + 1);
      localRooms = ['presence:acme/ann', 'presence:globex/bob', 'presence:globex/ann'];
      await service.restate(since);
      expect(restated.map(([room, entry]) => [room, entry.userId, entry.status])).toEqual([
        ['presence:acme/ann', 'ann', 'online'],
        ['presence:globex/bob', 'bob', 'online'],
      ]);
    });
  });
});

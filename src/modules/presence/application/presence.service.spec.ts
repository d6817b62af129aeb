import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { ConnectionManager, RealtimeEmitter } from '../../../core/websocket/index.js';
import { rooms } from '../../../core/websocket/index.js';
import { PresenceEvents, type PresenceChangedEvent } from '../domain/presence-events.js';
import type { PresenceEntry } from '../domain/presence-entry.js';
import { InMemoryPresenceStore } from '../infrastructure/in-memory-presence.store.js';
import { PresenceService } from './presence.service.js';

const GRACE = 1000;

describe('PresenceService', () => {
  let store: InMemoryPresenceStore;
  let events: EventEmitter2;
  let service: PresenceService;
  /** Sockets the fake registry reports per user. */
  let sockets: Map<string, number>;
  let updates: Array<[string, PresenceEntry]>;
  let domain: Array<[string, PresenceChangedEvent]>;

  beforeEach(() => {
    jest.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    store = new InMemoryPresenceStore();
    events = new EventEmitter2();
    sockets = new Map();
    updates = [];
    domain = [];
    const connections = { isOnline: async (userId: string) => (sockets.get(userId) ?? 0) > 0 } as unknown as ConnectionManager;
    const emitter = {
      toRoom: (room: string) => ({ emit: (event: string, entry: PresenceEntry) => updates.push([room, { ...entry, event } as never]) }),
    } as unknown as RealtimeEmitter;
    events.on(PresenceEvents.online, (event: PresenceChangedEvent) => domain.push([PresenceEvents.online, event]));
    events.on(PresenceEvents.offline, (event: PresenceChangedEvent) => domain.push([PresenceEvents.offline, event]));
    service = new PresenceService(store, connections, emitter, events, { offlineGraceMs: GRACE, maxWatchedPerSocket: 1000 });
  });

  afterEach(() => {
    service.onModuleDestroy();
    jest.useRealTimers();
  });

  const connect = async (userId: string) => {
    sockets.set(userId, 1);
    await service.userConnected({ userId, at: Date.now() });
  };
  const disconnect = (userId: string) => {
    sockets.set(userId, 0);
    service.userDisconnected({ userId, at: Date.now() });
  };
  const statuses = () => updates.map(([, entry]) => entry.status);

  it('announces online to the user’s presence room and publishes presence.online once', async () => {
    const at = Date.now();
    await connect('alice');
    await connect('alice');
    expect(updates).toEqual([[rooms.presence('alice'), expect.objectContaining({ userId: 'alice', status: 'online', event: 'presence:update' })]]);
    expect(domain).toEqual([[PresenceEvents.online, { userId: 'alice', at }]]);
  });

  it('goes offline after the grace period, stamped with the time the last socket left', async () => {
    await connect('alice');
    const leftAt = Date.now();
    disconnect('alice');
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

  it('announces nothing when a socket comes back within the grace period', async () => {
    await connect('alice');
    disconnect('alice');
    await jest.advanceTimersByTimeAsync(GRACE / 2);
    await connect('alice');
    await jest.advanceTimersByTimeAsync(GRACE * 2);
    expect(statuses()).toEqual(['online']);
    expect(domain).toHaveLength(1);
  });

  it('restarts the grace period from the latest disconnect', async () => {
    await connect('alice');
    disconnect('alice');
    await jest.advanceTimersByTimeAsync(GRACE / 2);
    await connect('alice');
    disconnect('alice');
    await jest.advanceTimersByTimeAsync(GRACE - 1);
    expect(statuses()).toEqual(['online']);
    await jest.advanceTimersByTimeAsync(1);
    expect(statuses()).toEqual(['online', 'offline']);
  });

  it('trusts the registry over the timer: a user with a socket stays present', async () => {
    await connect('alice');
    disconnect('alice');
    // Back on another node: this node saw no userConnected, but the registry counts the socket.
    sockets.set('alice', 1);
    await jest.advanceTimersByTimeAsync(GRACE);
    expect(statuses()).toEqual(['online']);
  });

  it('repairs a reconnect that races the offline decision: offline, then online again, never stuck', async () => {
    await connect('alice');
    disconnect('alice');
    const markOffline = store.markOffline.bind(store);
    // Another node registers a socket (and finds the user still online) between the registry check and markOffline.
    jest.spyOn(store, 'markOffline').mockImplementation(async (userId, at) => {
      sockets.set('alice', 1);
      return markOffline(userId, at);
    });
    await jest.advanceTimersByTimeAsync(GRACE);
    expect(statuses()).toEqual(['online', 'offline', 'online']);
    expect(domain.map(([name]) => name)).toEqual([PresenceEvents.online, PresenceEvents.offline, PresenceEvents.online]);
    expect((await store.get(['alice']))[0]!.status).toBe('online');
  });

  it('sets a chosen status once, keeps it across sockets, and ends it when the user goes offline', async () => {
    await connect('alice');
    expect((await service.setStatus('alice', 'away')).status).toBe('away');
    expect((await service.setStatus('alice', 'away')).status).toBe('away');
    await connect('alice');
    expect(statuses()).toEqual(['online', 'away']);
    disconnect('alice');
    await jest.advanceTimersByTimeAsync(GRACE);
    await connect('alice');
    expect(statuses()).toEqual(['online', 'away', 'offline', 'online']);
    // away and busy are no domain events.
    expect(domain.map(([name]) => name)).toEqual([PresenceEvents.online, PresenceEvents.offline, PresenceEvents.online]);
  });

  it('runs one user’s transitions in order even when the store is slow', async () => {
    const markOnline = store.markOnline.bind(store);
    jest.spyOn(store, 'markOnline').mockImplementation(async (userId, at) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return markOnline(userId, at);
    });
    sockets.set('alice', 1);
    const online = service.userConnected({ userId: 'alice', at: Date.now() });
    const away = service.setStatus('alice', 'busy');
    await jest.advanceTimersByTimeAsync(10);
    await Promise.all([online, away]);
    expect(statuses()).toEqual(['online', 'busy']);
  });

  it('clears pending grace periods on destroy and ignores events after it', async () => {
    await connect('alice');
    disconnect('alice');
    expect(service.pendingGraceCount).toBe(1);
    service.onModuleDestroy();
    expect(service.pendingGraceCount).toBe(0);
    await jest.advanceTimersByTimeAsync(GRACE * 2);
    await connect('bob');
    disconnect('bob');
    expect(service.pendingGraceCount).toBe(0);
    expect(statuses()).toEqual(['online']);
  });

  it('unrefs its grace timers so they never keep the process alive', async () => {
    const unref = jest.fn();
    const realSetTimeout = globalThis.setTimeout;
    const spy = jest.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms: number) => {
      const timer = realSetTimeout(fn, ms);
      timer.unref = unref.mockReturnValue(timer) as never;
      return timer;
    }) as never);
    await connect('alice');
    disconnect('alice');
    spy.mockRestore();
    expect(unref).toHaveBeenCalledTimes(1);
  });
});

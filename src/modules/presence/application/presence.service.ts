import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ConnectionManager, RealtimeEmitter, rooms, type UserConnectionEvent } from '../../../core/websocket/index.js';
import type { PresenceEntry, SettableStatus } from '../domain/presence-entry.js';
import { PresenceEvents, type PresenceChangedEvent } from '../domain/presence-events.js';
import { PresenceStore } from '../ports/presence-store.port.js';
import { PRESENCE_OPTIONS, type ResolvedPresenceOptions } from '../presence.options.js';

/**
 * Every presence decision, in one place: online on a user's first socket,
 * offline once the last one is gone and none came back within the grace
 * period, and the statuses users choose. The store makes each transition
 * atomic; whoever gets a changed entry back announces it, once, as
 * `presence:update` to the user's subscribers and, for online/offline, as a
 * domain event.
 *
 * The grace timer is per node. A cluster replaces `userDisconnected` /
 * `settleOffline` with a decision taken once in Redis; nothing else changes.
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  /** Per-user chains: one user's transitions run one at a time on this node, in the order they arrived. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private destroyed = false;

  constructor(
    private readonly store: PresenceStore,
    private readonly connections: ConnectionManager,
    private readonly emitter: RealtimeEmitter,
    private readonly events: EventEmitter2,
    @Inject(PRESENCE_OPTIONS) private readonly options: ResolvedPresenceOptions,
  ) {}

  /** The entries of `userIds`, in that order; never-seen users are offline with `lastSeenAt: null`. */
  get(userIds: readonly string[]): Promise<PresenceEntry[]> {
    return this.store.get(userIds);
  }

  /** The user's first socket anywhere (`realtime.user.connected`). */
  userConnected({ userId, at }: UserConnectionEvent): Promise<void> {
    if (this.destroyed) return Promise.resolve();
    // A socket back within the grace period: the user never left, so nothing is announced.
    this.cancelGrace(userId);
    return this.serialize(userId, async () => {
      const entry = await this.store.markOnline(userId, at);
      if (entry) this.announce(entry, PresenceEvents.online, at);
    });
  }

  /** The user's last socket is gone (`realtime.user.disconnected`): offline unless one comes back within the grace. */
  userDisconnected({ userId, at }: UserConnectionEvent): void {
    if (this.destroyed) return;
    this.cancelGrace(userId);
    const timer = setTimeout(() => {
      this.graceTimers.delete(userId);
      this.serialize(userId, () => this.settleOffline(userId, at)).catch((error: unknown) =>
        this.logger.error(`Could not settle the presence of ${userId}`, (error as Error)?.stack),
      );
    }, this.options.offlineGraceMs);
    // A pending grace must never keep the process alive.
    timer.unref();
    this.graceTimers.set(userId, timer);
  }

  /** The caller's chosen status; the same status again changes and announces nothing. */
  setStatus(userId: string, status: SettableStatus): Promise<PresenceEntry> {
    return this.serialize(userId, async () => {
      const changed = await this.store.setStatus(userId, status, Date.now());
      if (changed) {
        this.announce(changed);
        return changed;
      }
      const [current] = await this.store.get([userId]);
      return current!;
    });
  }

  /** How many grace periods are running (for tests and metrics). */
  get pendingGraceCount(): number {
    return this.graceTimers.size;
  }

  onModuleDestroy(): void {
    this.destroyed = true;
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
  }

  /**
   * The registry has the last word: a socket that came back (here or on
   * another node) keeps the user present. The second look closes the race
   * with a reconnect between the first look and `markOffline` that this
   * node's queue does not see: the user flickers offline and back, but never
   * stays offline with a socket.
   */
  private async settleOffline(userId: string, lastSocketGoneAt: number): Promise<void> {
    if (this.destroyed || (await this.connections.isOnline(userId))) return;
    const offline = await this.store.markOffline(userId, lastSocketGoneAt);
    if (!offline) return;
    this.announce(offline, PresenceEvents.offline, lastSocketGoneAt);
    if (!(await this.connections.isOnline(userId))) return;
    const now = Date.now();
    const online = await this.store.markOnline(userId, now);
    if (online) this.announce(online, PresenceEvents.online, now);
  }

  private announce(entry: PresenceEntry, domainEvent?: string, at?: number): void {
    this.emitter.toRoom(rooms.presence(entry.userId)).emit('presence:update', entry);
    if (domainEvent) {
      const payload: PresenceChangedEvent = { userId: entry.userId, at: at ?? Date.now() };
      this.events.emit(domainEvent, payload);
    }
  }

  private cancelGrace(userId: string): void {
    const timer = this.graceTimers.get(userId);
    if (!timer) return;
    clearTimeout(timer);
    this.graceTimers.delete(userId);
  }

  private serialize<T>(userId: string, task: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(userId) ?? Promise.resolve()).then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(userId, tail);
    void tail.then(() => {
      if (this.queues.get(userId) === tail) this.queues.delete(userId);
    });
    return run;
  }
}

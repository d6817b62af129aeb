import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ConnectionManager, RealtimeEmitter, rooms, type UserConnectionEvent } from '../../../core/websocket/index.js';
import type { PresenceEntry, SettableStatus } from '../domain/presence-entry.js';
import { PresenceEvents, type PresenceChangedEvent } from '../domain/presence-events.js';
import { PresenceLedger } from '../ports/presence-ledger.port.js';
import { PresenceStore } from '../ports/presence-store.port.js';
import { PRESENCE_OPTIONS, type ResolvedPresenceOptions } from '../presence.options.js';

/** Bounds of the sweeper's period: half the grace, so an offline is announced at most half a grace late. */
const MIN_SWEEP_MS = 25;
const MAX_SWEEP_MS = 1000;

/**
 * Every presence decision, in one place: online on a user's first socket,
 * offline once the last one is gone and none came back within the grace
 * period, and the statuses users choose. The store makes each transition
 * atomic; whoever gets a changed entry back announces it, once, as
 * `presence:update` to the user's subscribers and, for online/offline, as a
 * domain event.
 *
 * On one node the grace is a timer. In a cluster (with a `PresenceLedger`)
 * it is an entry in Redis that every node's sweeper may settle, so it
 * survives the node that started it; connection events then only say when to
 * look, and the ledger decides against the registry in one atomic step.
 */
@Injectable()
export class PresenceService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  /** Per-user chains: one user's transitions run one at a time on this node, in the order they arrived. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Cluster: users whose last reconcile failed (Redis unreachable), with the time of their event; retried by the sweeper. */
  private readonly unsettled = new Map<string, number>();
  private sweeper?: NodeJS.Timeout;
  private sweeping = false;
  private redisFailing = false;
  private destroyed = false;

  constructor(
    private readonly store: PresenceStore,
    private readonly connections: ConnectionManager,
    private readonly emitter: RealtimeEmitter,
    private readonly events: EventEmitter2,
    @Inject(PRESENCE_OPTIONS) private readonly options: ResolvedPresenceOptions,
    @Optional() @Inject(PresenceLedger) private readonly ledger?: PresenceLedger | null,
  ) {}

  /** The entries of `userIds`, in that order; never-seen users are offline with `lastSeenAt: null`. */
  get(userIds: readonly string[]): Promise<PresenceEntry[]> {
    return this.store.get(userIds);
  }

  /** The user's first socket anywhere (`realtime.user.connected`). */
  userConnected({ userId, at }: UserConnectionEvent): Promise<void> {
    if (this.ledger) return this.reconcile(userId, at);
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
    if (this.ledger) return void this.reconcile(userId, at);
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

  /** Cluster: starts this node's sweeper. Every node runs one; each due grace is settled by exactly one of them. */
  onApplicationBootstrap(): void {
    if (!this.ledger) return;
    const every = Math.max(MIN_SWEEP_MS, Math.min(Math.floor(this.options.offlineGraceMs / 2), MAX_SWEEP_MS));
    this.sweeper = setInterval(() => void this.sweep(), every);
    // The sweeper must never keep the process alive.
    this.sweeper.unref();
  }

  /**
   * Cluster: one pass of the sweeper. Announces the users the ledger took
   * offline (each to exactly one node's pass), then retries the reconciles
   * that failed while Redis was unreachable. Never rejects.
   */
  async sweep(): Promise<void> {
    if (!this.ledger || this.sweeping || this.destroyed) return;
    this.sweeping = true;
    try {
      const settled = await this.ledger.settleDue();
      this.reachable();
      for (const entry of settled) this.announce(entry, PresenceEvents.offline, Date.parse(entry.lastSeenAt!));
      await Promise.all(
        [...this.unsettled.keys()].map((userId) =>
          this.serialize(userId, async () => {
            const at = this.unsettled.get(userId);
            if (at !== undefined) await this.applyReconcile(userId, at);
          }),
        ),
      );
    } catch (error) {
      this.unreachable(error);
    } finally {
      this.sweeping = false;
    }
  }

  onModuleDestroy(): void {
    this.destroyed = true;
    clearInterval(this.sweeper);
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
  }

  /**
   * Cluster: the ledger makes the user's presence follow the registry. Runs
   * even after destroy: a draining node raises the last-socket events of its
   * users after the modules are destroyed, and their grace must still start
   * (in Redis, where another node's sweeper settles it). Never rejects.
   */
  private reconcile(userId: string, at: number): Promise<void> {
    return this.serialize(userId, () => this.applyReconcile(userId, at));
  }

  private async applyReconcile(userId: string, at: number): Promise<void> {
    let entry: PresenceEntry | null;
    try {
      entry = await this.ledger!.reconcile(userId, at);
    } catch (error) {
      if (this.destroyed) {
        // The janitor of a surviving node's sweeper finds the user one grace period later.
        this.logger.warn(`Could not record the presence of ${userId} while shutting down: ${(error as Error).message}`);
        return;
      }
      this.unsettled.set(userId, at);
      this.unreachable(error);
      return;
    }
    this.unsettled.delete(userId);
    this.reachable();
    if (entry) this.announce(entry, PresenceEvents.online, Date.parse(entry.lastSeenAt!));
  }

  /** Logs an outage once, when it starts. */
  private unreachable(error: unknown): void {
    if (this.redisFailing) return;
    this.redisFailing = true;
    this.logger.warn(`Presence could not reach Redis (${(error as Error).message}); decisions are retried on the next sweep`);
  }

  private reachable(): void {
    if (!this.redisFailing) return;
    this.redisFailing = false;
    this.logger.log('Presence reaches Redis again');
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

  /** The change is already decided and stored: a failing push or listener is logged, never allowed to undo or stop it. */
  private announce(entry: PresenceEntry, domainEvent?: string, at?: number): void {
    try {
      this.emitter.toRoom(rooms.presence(entry.userId)).emit('presence:update', entry);
    } catch (error) {
      this.logger.error(`Could not push the presence of ${entry.userId}`, (error as Error)?.stack);
    }
    if (!domainEvent) return;
    const payload: PresenceChangedEvent = { userId: entry.userId, at: at ?? Date.now() };
    try {
      this.events.emit(domainEvent, payload);
    } catch (error) {
      this.logger.error(`A listener of ${domainEvent} failed`, (error as Error)?.stack);
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

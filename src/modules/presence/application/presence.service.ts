import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  KeyedQueue,
  Outage,
  RealtimeEmitter,
  runInTenant,
  scopedKey,
  scopedKeyOf,
  splitScopedKey,
  type UserConnectionEvent,
} from '../../../core/websocket/internal.js';
import type { PresenceEntry, SettableStatus } from '../domain/presence-entry.js';
import { PresenceEvents, type PresenceChangedEvent } from '../domain/presence-events.js';
import { presenceRoom, watchedUserOf } from './presence-rooms.js';
import { PresenceLedger } from '../ports/presence-ledger.port.js';
import { PresenceStore } from '../ports/presence-store.port.js';
import { PRESENCE_OPTIONS, type ResolvedPresenceOptions } from '../presence.options.js';

/** Bounds of the sweeper's period: half the grace, so an offline is announced at most half a grace late. */
const MIN_SWEEP_MS = 25;
const MAX_SWEEP_MS = 1000;
/** Entries restated after missed pushes are read this many at a time. */
const RESTATE_BATCH = 500;
/** Entries carry the clock of the node that decided them: changes this much before the loss are restated too. */
const CLOCK_SKEW_MS = 2000;

/**
 * Every presence decision, in one place: online on a user's first socket,
 * offline once the last one is gone and none came back within the grace
 * period, and the statuses users choose. The ledger takes each decision
 * against the connection registry, atomically; whoever gets a changed entry
 * back announces it, once, as `presence:update` to the user's subscribers
 * and, for online/offline, as a domain event.
 *
 * Connection events only say when to look. Grace periods that ran out are
 * settled by a sweep: periodic (a grace kept in Redis outlives the node that
 * started it, and any node may settle it), and at once when the ledger says
 * one is due (the in-memory ledger's timers).
 *
 * Store, ledger and queues key a user as the core's registry does: by the id
 * scoped to its tenant (`scopedKey`), so presence shares the registry's
 * counts and two tenants' users never meet. Every entry is announced in its
 * user's tenant scope, with the plain user id.
 */
@Injectable()
export class PresenceService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  /** One user's transitions run one at a time on this node, in the order they arrived. */
  private readonly transitions = new KeyedQueue<string>();
  /** Users whose last reconcile failed (the ledger unreachable), with the time of their event; retried by the sweep. */
  private readonly unsettled = new Map<string, number>();
  private sweeper?: NodeJS.Timeout;
  private sweeping = false;
  /** The ledger said a grace ran out during a sweep: sweep once more when it ends. */
  private sweepAgain = false;
  private readonly outage = new Outage();
  private destroyed = false;

  constructor(
    private readonly store: PresenceStore,
    private readonly ledger: PresenceLedger,
    private readonly emitter: RealtimeEmitter,
    private readonly events: EventEmitter2,
    @Inject(PRESENCE_OPTIONS) private readonly options: ResolvedPresenceOptions,
  ) {
    ledger.onDue(() => this.due());
  }

  /** The entries of `userIds`, in that order; never-seen users are offline with `lastSeenAt: null`. */
  get(userIds: readonly string[]): Promise<PresenceEntry[]> {
    const keys = userIds.map(scopedKey);
    // Without tenants (and ids without a `/`) the keys are the ids: the store's entries as they are.
    if (keys.every((key, index) => key === userIds[index])) return this.store.get(userIds);
    return this.store.get(keys).then((entries) => entries.map((entry, index) => ({ ...entry, userId: userIds[index]! })));
  }

  /** The user's first socket anywhere (`realtime.user.connected`). Never rejects. */
  userConnected({ userId, tenant, at }: UserConnectionEvent): Promise<void> {
    return this.reconcile(scopedKeyOf(tenant, userId), at);
  }

  /** The user's last socket is gone (`realtime.user.disconnected`): offline unless one comes back within the grace. */
  userDisconnected({ userId, tenant, at }: UserConnectionEvent): void {
    void this.reconcile(scopedKeyOf(tenant, userId), at);
  }

  /** The caller's chosen status; the same status again changes and announces nothing. */
  setStatus(userId: string, status: SettableStatus): Promise<PresenceEntry> {
    const key = scopedKey(userId);
    return this.transitions.run(key, async () => {
      const changed = await this.store.setStatus(key, status, Date.now());
      if (changed) return this.announce(changed);
      const [current] = await this.store.get([key]);
      return { ...current!, userId };
    });
  }

  /**
   * This node missed other nodes' pushes from `since` on (its Redis
   * subscriber was down; `realtime.pushes.resumed`): every watched user whose
   * entry changed since then is pushed again to this node's watchers, so none
   * is left showing a status that is no longer true. A watcher may get an
   * update it already had (one that did arrive). Never rejects.
   */
  async restate(since: number): Promise<void> {
    const watched: string[] = [];
    for (const room of this.emitter.localRooms()) {
      const key = watchedUserOf(room);
      if (key !== undefined) watched.push(key);
    }
    let restated = 0;
    try {
      for (let start = 0; start < watched.length; start += RESTATE_BATCH) {
        for (const entry of await this.store.get(watched.slice(start, start + RESTATE_BATCH))) {
          if (entry.lastSeenAt === null || this.decidedBy(entry) < since - CLOCK_SKEW_MS) continue;
          this.inScopeOf(entry, (tenant, plain) => this.emitter.toLocalRoom(presenceRoom(plain.userId)).emit('presence:update', plain));
          restated++;
        }
      }
    } catch (error) {
      this.logger.warn(`Could not restate presence after missed pushes: ${(error as Error).message}`);
      return;
    }
    if (restated > 0) this.logger.log(`Restated the presence of ${restated} watched users after missed pushes`);
  }

  /**
   * When the entry's change was announced, at the latest: an online or a
   * chosen status when it was set; an offline carries the time the last
   * socket left, and is decided one grace period (and a sweep) later.
   */
  private decidedBy(entry: PresenceEntry): number {
    const at = Date.parse(entry.lastSeenAt!);
    return entry.status === 'offline' ? at + this.options.offlineGraceMs + MAX_SWEEP_MS : at;
  }

  /** How many grace periods this process is timing (for tests and metrics). */
  get pendingGraceCount(): number {
    return this.ledger.pendingGraceCount;
  }

  /** Starts this node's sweeper. Every node runs one; each due grace is settled by exactly one of them. */
  onApplicationBootstrap(): void {
    const every = Math.max(MIN_SWEEP_MS, Math.min(Math.floor(this.options.offlineGraceMs / 2), MAX_SWEEP_MS));
    this.sweeper = setInterval(() => void this.sweep(), every);
    // The sweeper must never keep the process alive.
    this.sweeper.unref();
  }

  /**
   * One sweep: announces the users the ledger took offline (each to exactly
   * one node's sweep), then retries the reconciles that failed while the
   * ledger was unreachable. Never rejects; never overlaps another sweep.
   */
  async sweep(): Promise<void> {
    if (this.sweeping || this.destroyed) return;
    this.sweeping = true;
    try {
      do {
        this.sweepAgain = false;
        await this.sweepOnce();
      } while (this.sweepAgain && !this.destroyed);
    } finally {
      this.sweeping = false;
    }
  }

  onModuleDestroy(): void {
    this.destroyed = true;
    clearInterval(this.sweeper);
  }

  private due(): void {
    if (this.sweeping) this.sweepAgain = true;
    else void this.sweep();
  }

  private async sweepOnce(): Promise<void> {
    try {
      const settled = await this.ledger.settleDue();
      this.reachable();
      for (const entry of settled) {
        this.announce(entry, entry.status === 'offline' ? PresenceEvents.offline : PresenceEvents.online, Date.parse(entry.lastSeenAt!));
      }
      await Promise.all(
        [...this.unsettled.keys()].map((userId) =>
          this.transitions.run(userId, async () => {
            const at = this.unsettled.get(userId);
            if (at !== undefined) await this.applyReconcile(userId, at);
          }),
        ),
      );
    } catch (error) {
      this.unreachable(error);
    }
  }

  /**
   * The ledger makes the user's presence follow the registry. Runs even after
   * destroy: a draining node raises the last-socket events of its users after
   * the modules are destroyed, and where the grace outlives the node (Redis)
   * it must still start. Never rejects.
   */
  private reconcile(userId: string, at: number): Promise<void> {
    return this.transitions.run(userId, () => this.applyReconcile(userId, at));
  }

  private async applyReconcile(userId: string, at: number): Promise<void> {
    let entry: PresenceEntry | null;
    try {
      entry = await this.ledger.reconcile(userId, at);
    } catch (error) {
      if (this.destroyed) {
        // Another node's sweep finds the user one grace period later.
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
    if (!this.outage.failed()) return;
    this.logger.warn(`Presence could not reach its ledger (${(error as Error).message}); decisions are retried on the next sweep`);
  }

  private reachable(): void {
    if (!this.outage.recovered()) return;
    this.logger.log('Presence reaches its ledger again');
  }

  /**
   * Announces a stored entry (keyed as stored) in its user's tenant scope and
   * returns it with the plain user id. The change is already decided and
   * stored: a failing push or listener is logged, never allowed to undo or stop it.
   */
  private announce(entry: PresenceEntry, domainEvent?: string, at?: number): PresenceEntry {
    return this.inScopeOf(entry, (tenant, plain) => {
      try {
        this.emitter.toRoom(presenceRoom(plain.userId)).emit('presence:update', plain);
      } catch (error) {
        this.logger.error(`Could not push the presence of ${plain.userId}`, (error as Error)?.stack);
      }
      if (!domainEvent) return plain;
      const time = at ?? Date.now();
      const payload: PresenceChangedEvent =
        tenant === undefined ? { userId: plain.userId, at: time } : { userId: plain.userId, tenant, at: time };
      try {
        this.events.emit(domainEvent, payload);
      } catch (error) {
        this.logger.error(`A listener of ${domainEvent} failed`, (error as Error)?.stack);
      }
      return plain;
    });
  }

  /** Runs `fn` in the tenant scope of a stored entry, with the entry as clients see it (the plain user id). */
  private inScopeOf<R>(entry: PresenceEntry, fn: (tenant: string | undefined, plain: PresenceEntry) => R): R {
    const { tenant, id } = splitScopedKey(entry.userId);
    return runInTenant(tenant, fn, tenant, id === entry.userId ? entry : { ...entry, userId: id });
  }
}

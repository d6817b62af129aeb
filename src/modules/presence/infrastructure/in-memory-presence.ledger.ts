import type { OnModuleDestroy } from '@nestjs/common';
import { KeyedQueue, type ConnectionRegistry } from '../../../core/websocket/internal.js';
import type { PresenceEntry } from '../domain/presence-entry.js';
import { PresenceLedger } from '../ports/presence-ledger.port.js';
import type { PresenceStore } from '../ports/presence-store.port.js';

/**
 * The embedded ledger: one process, a timer per grace period, each decision
 * taken against the core's connection registry. One user's decisions run one
 * at a time, so none reads the registry and writes the store with another of
 * that user's decisions in between; the store's own transitions are atomic.
 * Its timers end with the module.
 */
export class InMemoryPresenceLedger extends PresenceLedger implements OnModuleDestroy {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Users whose grace ran out, with the time their last socket left: the next `settleDue` decides them. */
  private readonly due = new Map<string, number>();
  private readonly decisions = new KeyedQueue<string>();
  private listener?: () => void;
  private closed = false;

  constructor(
    private readonly store: PresenceStore,
    private readonly registry: ConnectionRegistry,
    private readonly graceMs: number,
  ) {
    super();
  }

  reconcile(userId: string, at: number): Promise<PresenceEntry | null> {
    if (this.closed) return Promise.resolve(null);
    return this.decisions.run(userId, async () => {
      const present = await this.hasSocket(userId);
      const [current] = await this.store.get([userId]);
      const connected = current!.status !== 'offline';
      // Whatever the answer, a pending grace ends here: it is dropped, or started again from `at`.
      this.cancel(userId);
      if (!present) {
        if (connected) this.startGrace(userId, at);
        return null;
      }
      if (connected) return null;
      // A late retry never moves lastSeenAt back past the offline it ends.
      const since = current!.lastSeenAt === null ? at : Math.max(at, Date.parse(current!.lastSeenAt));
      return this.store.markOnline(userId, since);
    });
  }

  async settleDue(): Promise<PresenceEntry[]> {
    const due = [...this.due];
    this.due.clear();
    const settled = await Promise.all(due.map(([userId, leftAt]) => this.decisions.run(userId, () => this.settle(userId, leftAt))));
    return settled.flat();
  }

  onDue(listener: () => void): void {
    this.listener = listener;
  }

  get pendingGraceCount(): number {
    return this.timers.size + this.due.size;
  }

  onModuleDestroy(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.due.clear();
  }

  /**
   * The registry has the last word: a user with a socket, or whose grace
   * restarted meanwhile, stays. The second look closes the race with a socket
   * registered between the first look and `markOffline`: the user flickers
   * offline and back, but never stays offline with a socket.
   */
  private async settle(userId: string, leftAt: number): Promise<PresenceEntry[]> {
    if (this.closed || this.timers.has(userId) || (await this.hasSocket(userId))) return [];
    const offline = await this.store.markOffline(userId, leftAt);
    if (!offline) return [];
    if (!(await this.hasSocket(userId))) return [offline];
    const online = await this.store.markOnline(userId, Date.now());
    return online ? [offline, online] : [offline];
  }

  private startGrace(userId: string, leftAt: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(userId);
      this.due.set(userId, leftAt);
      this.listener?.();
    }, this.graceMs);
    // A pending grace must never keep the process alive.
    timer.unref();
    this.timers.set(userId, timer);
  }

  private cancel(userId: string): void {
    clearTimeout(this.timers.get(userId));
    this.timers.delete(userId);
    this.due.delete(userId);
  }

  private async hasSocket(userId: string): Promise<boolean> {
    return (await this.registry.countOf(userId)) > 0;
  }
}

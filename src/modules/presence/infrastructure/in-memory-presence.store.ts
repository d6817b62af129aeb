import type { PresenceEntry, PresenceStatus, SettableStatus } from '../domain/presence-entry.js';
import { PresenceStore } from '../ports/presence-store.port.js';

interface StoredPresence {
  status: PresenceStatus;
  since: number;
  /** `since` as the entry carries it, formatted once per change rather than on every read. */
  lastSeenAt: string;
}

/**
 * A write looks for expired records at most this often, at up to
 * `PRUNE_BATCH` of them. A walk from the start of a Map steps over the slots
 * of every key deleted since it last rehashed, and each write deletes one (it
 * moves its user to the end): walked on every write, that cost grew with the
 * number of users (6 µs a write at 10,000, 21 µs at 100,000).
 */
const PRUNE_EVERY_MS = 1000;
const PRUNE_BATCH = 1000;

/**
 * The embedded store: one process, nothing shared. It keeps one small record
 * per user seen on this node (so offline users keep their `lastSeenAt`) for
 * `lastSeenTtlMs` after they went offline; ids clients merely ask about are
 * never stored. The map's order is the order of the last write, so every
 * write also looks at the oldest records and drops the expired ones: memory
 * follows the users seen within the TTL, with no timer.
 */
// No @Injectable(): Nest would read the TTL parameter as a dependency; made by the module's factory, or `new`.
export class InMemoryPresenceStore extends PresenceStore {
  private readonly byUser = new Map<string, StoredPresence>();
  private prunedAt = Number.NEGATIVE_INFINITY;

  /** `lastSeenTtlMs`: how long an offline user's record is kept; 0 keeps it. */
  constructor(private readonly lastSeenTtlMs = 0) {
    super();
  }

  async get(userIds: readonly string[]): Promise<PresenceEntry[]> {
    return userIds.map((userId) => this.entryOf(userId));
  }

  async markOnline(userId: string, at: number): Promise<PresenceEntry | null> {
    const current = this.byUser.get(userId);
    if (current && current.status !== 'offline') return null;
    return this.write(userId, 'online', at);
  }

  async markOffline(userId: string, at: number): Promise<PresenceEntry | null> {
    const current = this.byUser.get(userId);
    if (!current || current.status === 'offline') return null;
    return this.write(userId, 'offline', at);
  }

  async setStatus(userId: string, status: SettableStatus, at: number): Promise<PresenceEntry | null> {
    const current = this.byUser.get(userId);
    if (!current || current.status === 'offline' || current.status === status) return null;
    return this.write(userId, status, at);
  }

  /** How many users it holds a record of (for tests). */
  get size(): number {
    return this.byUser.size;
  }

  private write(userId: string, status: PresenceStatus, at: number): PresenceEntry {
    this.prune(Date.now());
    this.byUser.delete(userId);
    this.byUser.set(userId, { status, since: at, lastSeenAt: new Date(at).toISOString() });
    return this.entryOf(userId);
  }

  /** Drops the oldest records whose offline outlived the TTL; moves any other it looked at to the end. */
  private prune(now: number): void {
    if (this.lastSeenTtlMs === 0 || now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    let looked = 0;
    for (const [userId, stored] of this.byUser) {
      if (looked++ === PRUNE_BATCH) return;
      this.byUser.delete(userId);
      if (!this.expired(stored, now)) this.byUser.set(userId, stored);
    }
  }

  /** Reads the clock (when `now` is not given) only for an offline record, the one kind that can expire. */
  private expired(stored: StoredPresence, now?: number): boolean {
    if (this.lastSeenTtlMs === 0 || stored.status !== 'offline') return false;
    return (now ?? Date.now()) - stored.since >= this.lastSeenTtlMs;
  }

  private entryOf(userId: string): PresenceEntry {
    let stored = this.byUser.get(userId);
    if (stored && this.expired(stored)) {
      this.byUser.delete(userId);
      stored = undefined;
    }
    return stored ? { userId, status: stored.status, lastSeenAt: stored.lastSeenAt } : { userId, status: 'offline', lastSeenAt: null };
  }
}

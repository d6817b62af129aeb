import type { PresenceEntry, PresenceStatus, SettableStatus } from '../domain/presence-entry.js';
import { PresenceStore } from '../ports/presence-store.port.js';

interface StoredPresence {
  status: PresenceStatus;
  since: number;
}

/** Entries looked at on every write for an expired last-seen time: enough to keep up, little per write. */
const PRUNE_PER_WRITE = 2;

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
    this.byUser.set(userId, { status, since: at });
    return this.entryOf(userId);
  }

  /** Drops the oldest records whose offline outlived the TTL; moves any other it looked at to the end. */
  private prune(now: number): void {
    if (this.lastSeenTtlMs === 0) return;
    let looked = 0;
    for (const [userId, stored] of this.byUser) {
      if (looked++ === PRUNE_PER_WRITE) return;
      this.byUser.delete(userId);
      if (!this.expired(stored, now)) this.byUser.set(userId, stored);
    }
  }

  private expired(stored: StoredPresence, now: number): boolean {
    return this.lastSeenTtlMs > 0 && stored.status === 'offline' && now - stored.since >= this.lastSeenTtlMs;
  }

  private entryOf(userId: string): PresenceEntry {
    let stored = this.byUser.get(userId);
    if (stored && this.expired(stored, Date.now())) {
      this.byUser.delete(userId);
      stored = undefined;
    }
    return stored
      ? { userId, status: stored.status, lastSeenAt: new Date(stored.since).toISOString() }
      : { userId, status: 'offline', lastSeenAt: null };
  }
}

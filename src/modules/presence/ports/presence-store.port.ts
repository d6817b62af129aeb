import type { PresenceEntry, SettableStatus } from '../domain/presence-entry.js';

/**
 * Where presence lives. The in-memory twin serves one node; a Redis twin will
 * serve the cluster. Every mutating method is one transition, applied
 * atomically on its own, and answers with the changed entry, or `null` when it
 * changed nothing. So the caller that gets an entry back is the only one that
 * announces the change, however many nodes race for it.
 *
 * Times are epoch milliseconds in; entries carry them as ISO-8601 (`lastSeenAt`).
 * Every twin runs `describePresenceStoreContract` (presence-store.suite.ts).
 */
export abstract class PresenceStore {
  /**
   * The entries of `userIds`, in the order asked, duplicates included. A user
   * never seen is `{ status: 'offline', lastSeenAt: null }`; reading never
   * creates an entry (clients choose the ids they ask about).
   */
  abstract get(userIds: readonly string[]): Promise<PresenceEntry[]>;
  /** Offline (or never seen) -> `online` at `at`. Already connected in any status: `null`. */
  abstract markOnline(userId: string, at: number): Promise<PresenceEntry | null>;
  /** Connected in any status -> `offline` at `at`; `away`/`busy` end here. Already offline or never seen: `null`. */
  abstract markOffline(userId: string, at: number): Promise<PresenceEntry | null>;
  /**
   * A connected user's chosen status at `at`. `null` when it is already the
   * status, and when the user is offline or never seen: only `markOnline`
   * brings a user online, so a status is never set on someone absent.
   */
  abstract setStatus(userId: string, status: SettableStatus, at: number): Promise<PresenceEntry | null>;
}

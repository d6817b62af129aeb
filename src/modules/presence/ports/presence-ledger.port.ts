import type { PresenceEntry } from '../domain/presence-entry.js';

/**
 * The cluster's grace periods, kept in shared state so they outlive the node
 * that started them (a per-node timer dies with a killed or drained node).
 * Each decision is taken atomically against the connection registry's count,
 * and answers with the entries it changed, so the caller that gets an entry
 * back is the only one that announces it. On one node the grace timers of
 * `PresenceService` play this part, so there is no in-memory twin.
 */
export abstract class PresenceLedger {
  /**
   * Makes the user's presence follow the registry, after a connection event
   * stamped `at` (or a retry of one): with a socket, a pending offline is
   * dropped and an offline user comes `online` (the entry is returned); with
   * none, a connected user is due to go offline one grace period from now,
   * stamped `at`. Otherwise nothing changes and the answer is `null`.
   */
  abstract reconcile(userId: string, at: number): Promise<PresenceEntry | null>;
  /**
   * Claims the grace periods that ran out and takes offline each user the
   * registry still counts no socket for; answers with those entries (every
   * one to exactly one caller, cluster-wide). Also re-checks a batch of
   * connected users, so an offline whose start was lost (its node died
   * before recording it) is still decided, one grace period later.
   */
  abstract settleDue(): Promise<PresenceEntry[]>;
}

import type { PresenceEntry } from '../domain/presence-entry.js';

/**
 * The grace periods, and every decision taken against the core's connection
 * registry: whether a user with no socket left goes offline, and whether one
 * with a socket comes online. Each decision is atomic with the registry count
 * it reads, and answers with the entries it changed, so the caller that gets
 * an entry back is the only one that announces it.
 *
 * The in-memory twin serves one node: a timer per grace period. The Redis
 * twin serves the cluster: grace periods are entries in Redis that any node's
 * sweep may settle, so they outlive the node that started them. Both run
 * `describePresenceLedgerContract` (presence-ledger.suite.ts).
 */
export abstract class PresenceLedger {
  /**
   * Makes the user's presence follow the registry, after a connection event
   * stamped `at` (or a retry of one): with a socket, a pending offline is
   * dropped and an offline user comes `online` (the entry is returned, never
   * stamped before the offline it ends); with none, a connected user is due
   * to go offline one grace period from now, stamped `at`. Otherwise nothing
   * changes and the answer is `null`.
   */
  abstract reconcile(userId: string, at: number): Promise<PresenceEntry | null>;
  /**
   * Claims the grace periods that ran out and takes offline each user the
   * registry still counts no socket for; answers with the entries it changed,
   * in order (every one to exactly one caller, cluster-wide): an `offline`,
   * and an `online` after it when a socket came back while it was decided.
   * Where a grace period can be lost with its node (Redis), it also re-checks
   * a batch of connected users, so an offline whose start was never recorded
   * is still decided, one grace period later.
   */
  abstract settleDue(): Promise<PresenceEntry[]>;
  /**
   * Registers the one function to call when a grace period may have run out,
   * so `settleDue` is called then rather than at the next periodic sweep. A
   * twin that learns of it only by looking (Redis) never calls it.
   */
  abstract onDue(listener: () => void): void;
  /** Grace periods this process keeps timers for: the in-memory twin's; 0 where shared state keeps them. For tests and metrics. */
  abstract get pendingGraceCount(): number;
}

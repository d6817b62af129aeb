/** One connected socket, as the registry knows it. */
export interface ConnectionEntry {
  socketId: string;
  userId: string;
  nodeId: string;
}

/**
 * Who is connected where: the single source of truth for per-user socket
 * counts. The in-memory twin serves one node; the Redis twin the whole cluster.
 * Every method is atomic on its own, so the count a call returns is the one
 * its change produced, and exactly one caller sees a user's 0 -> 1 and 1 -> 0.
 * Nothing else reads or writes what a twin stores: the node reaper and the
 * presence module go through these methods (a Redis script that must be
 * atomic with a user's count takes the Redis twin's `luaLayout`).
 * Every twin runs `describeConnectionRegistryContract` (connection-registry.suite.ts).
 */
export abstract class ConnectionRegistry {
  /** Adds the socket unless the user already has `maxPerUser`; returns the user's count after the call. */
  abstract add(entry: ConnectionEntry, maxPerUser: number): Promise<{ admitted: boolean; count: number }>;
  /** Removes the socket; `removed` is false when it was not there. Returns the user's count after the call. */
  abstract remove(entry: ConnectionEntry): Promise<{ removed: boolean; count: number }>;
  /** The user's sockets on every node. */
  abstract socketsOf(userId: string): Promise<ConnectionEntry[]>;
  /** The number of the user's sockets on every node. */
  abstract countOf(userId: string): Promise<number>;
  /** The number of sockets on every node. */
  abstract countAll(): Promise<number>;
  /**
   * Removes every socket of a node (dead, or draining) and no other node's.
   * Returns the users left with no socket anywhere; each user is returned to
   * exactly one caller, so any number of nodes may reap the same dead node,
   * and a repeat (after a failure part-way) is harmless: it returns nobody.
   */
  abstract removeNode(nodeId: string): Promise<string[]>;
  /**
   * Makes the registry's view of a node equal to `entries` (its live sockets),
   * after the registry lost or missed changes (a Redis outage or restart).
   * Returns the users whose count moved from 0 to more, and to 0.
   */
  abstract syncNode(nodeId: string, entries: ConnectionEntry[]): Promise<{ connected: string[]; disconnected: string[] }>;
}

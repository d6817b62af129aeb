/**
 * When a room a socket just joined receives pushes from every node. On one
 * node that is at once; across nodes, once the node's subscription to the
 * room is confirmed (the Redis clients implement it).
 */
export abstract class RoomSubscriptions {
  /** Resolves once the room subscriptions asked for so far are in place, or after a bound wait when they cannot be. */
  abstract subscriptionsSettled(): Promise<void>;

  /**
   * Calls `listener` each time this node's subscriptions are back in place
   * after its connection for other nodes' pushes was lost, with when it was
   * lost (epoch milliseconds): pushes other nodes sent to its rooms in
   * between never arrived. Never called on one node without Redis.
   */
  abstract onResumed(listener: (since: number) => void): void;
}

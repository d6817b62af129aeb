/**
 * In-process domain events the core publishes on EventEmitter2 for feature
 * modules. They are never sent to clients as they are.
 */
export const RealtimeEvents = {
  /** A user's first socket anywhere in the cluster: `UserConnectionEvent`. */
  userConnected: 'realtime.user.connected',
  /** A user's last socket anywhere in the cluster is gone: `UserConnectionEvent`. */
  userDisconnected: 'realtime.user.disconnected',
  /** A socket's token was replaced through `auth:refresh`: `SessionRefreshedEvent` (declared beside `RealtimeSocket`, which it carries). Listeners are awaited before the reply. */
  sessionRefreshed: 'realtime.session.refreshed',
  /**
   * This node receives other nodes' pushes again after its Redis subscriber
   * connection was lost: `PushesResumedEvent`. Pushes sent to its rooms in
   * between never arrived; a feature that can restate its state to the local
   * sockets (presence does) listens to this.
   */
  pushesResumed: 'realtime.pushes.resumed',
} as const;

export interface UserConnectionEvent {
  userId: string;
  /** The user's tenant, with tenants configured; listeners run in its scope. */
  tenant?: string;
  /** Epoch milliseconds. */
  at: number;
}

export interface PushesResumedEvent {
  /** When the subscriber connection was lost, by this node's clock (epoch milliseconds). */
  since: number;
}

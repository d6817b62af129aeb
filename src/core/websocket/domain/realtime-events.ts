import type { AuthenticatedUser, RealtimeSocket } from './interfaces/websocket-events.interface.js';

/**
 * In-process domain events the core publishes on EventEmitter2 for feature
 * modules. They are never sent to clients as they are.
 */
export const RealtimeEvents = {
  /** A user's first socket anywhere in the cluster: `UserConnectionEvent`. */
  userConnected: 'realtime.user.connected',
  /** A user's last socket anywhere in the cluster is gone: `UserConnectionEvent`. */
  userDisconnected: 'realtime.user.disconnected',
  /** A socket's token was replaced through `auth:refresh`: `SessionRefreshedEvent`. Listeners are awaited before the reply. */
  sessionRefreshed: 'realtime.session.refreshed',
} as const;

export interface UserConnectionEvent {
  userId: string;
  /** Epoch milliseconds. */
  at: number;
}

export interface SessionRefreshedEvent {
  socket: RealtimeSocket;
  user: AuthenticatedUser;
}

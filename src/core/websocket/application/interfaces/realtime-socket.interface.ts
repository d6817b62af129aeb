import type { Socket } from 'socket.io';
import type { AuthenticatedUser, RealtimePushEvents, SocketData } from '../../domain/interfaces/websocket-events.interface.js';

// Socket.IO's types, kept out of `domain/`: the socket and the in-process event that carries one.

/** A socket that passed the handshake. */
export type RealtimeSocket = Socket<Record<string, (...args: any[]) => void>, RealtimePushEvents, Record<string, never>, SocketData>;

/** The payload of `RealtimeEvents.sessionRefreshed`. */
export interface SessionRefreshedEvent {
  socket: RealtimeSocket;
  user: AuthenticatedUser;
}

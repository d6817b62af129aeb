import type { ExceptionEvent, SessionReady } from './envelope.js';

// The wire shapes live in `envelope.ts` (no socket.io there, so clients can use them); re-exported for existing importers.
export type { Envelope, ErrorBody, ExceptionEvent, SessionReady } from './envelope.js';

/** The verified identity of a socket, set once by the handshake and moved by `auth:refresh`. */
export interface AuthenticatedUser {
  /** The token's `sub`. */
  userId: string;
  /** Every claim of the current token (feature policies read theirs, e.g. `rooms`). */
  claims: Readonly<Record<string, unknown>>;
  /** The token's `exp`, in epoch milliseconds. */
  expiresAt: number;
  /** The token's tenant, when the server is configured with a tenant claim (`JWT_TENANT_CLAIM`); the scope of all the socket does. */
  tenant?: string;
}

/** What the module keeps in `socket.data`. */
export interface SocketData {
  user: AuthenticatedUser;
}

/**
 * What the server pushes to a socket: the core's own events, typed, and any
 * event a feature module pushes through the same emitter. The server-side
 * map of `RealtimeSocket`; a client types its side with `RealtimePushEvents`
 * from `nest-realtime/client`.
 */
export interface RealtimePushEvents {
  'session:ready': (payload: SessionReady) => void;
  'session:expired': (payload: { expiredAt: string }) => void;
  'server:shutdown': (payload: { reconnectAfterMs: number }) => void;
  exception: (payload: ExceptionEvent) => void;
  [event: string]: (...args: any[]) => void;
}

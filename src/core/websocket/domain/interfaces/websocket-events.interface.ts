import type { Socket } from 'socket.io';
import type { ErrorCode } from '../errors/error-code.js';

/** The verified identity of a socket, set once by the handshake and moved by `auth:refresh`. */
export interface AuthenticatedUser {
  /** The token's `sub`. */
  userId: string;
  /** Every claim of the current token (feature policies read theirs, e.g. `rooms`). */
  claims: Readonly<Record<string, unknown>>;
  /** The token's `exp`, in epoch milliseconds. */
  expiresAt: number;
}

/** What the module keeps in `socket.data`. */
export interface SocketData {
  user: AuthenticatedUser;
}

/** A socket that passed the handshake. */
export type RealtimeSocket = Socket<Record<string, (...args: any[]) => void>, ServerToClientEvents, Record<string, never>, SocketData>;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** The one reply every client request gets through its ack. */
export type Envelope<T = unknown> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** Emitted to a socket whose failing request carried no ack. */
export interface ExceptionEvent {
  status: 'error';
  event: string;
  code: ErrorCode;
  message: string;
}

export interface SessionReady {
  userId: string;
  socketId: string;
  /** ISO-8601 of the token's `exp`. */
  expiresAt: string;
}

/** Server-to-client events of the core module. Feature modules emit their own events through the same emitter. */
export interface ServerToClientEvents {
  'session:ready': (payload: SessionReady) => void;
  'session:expired': (payload: { expiredAt: string }) => void;
  'server:shutdown': (payload: { reconnectAfterMs: number }) => void;
  exception: (payload: ExceptionEvent) => void;
  [event: string]: (...args: any[]) => void;
}

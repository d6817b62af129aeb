import type { ErrorCode } from '../errors/error-code.js';

// The wire shapes a client sees, kept apart from `websocket-events.interface.ts`
// (which needs `socket.io`) so browser-facing declarations can reach them without the server.

/** The error part of a failed reply. */
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

/** The payload of `session:ready`. */
export interface SessionReady {
  userId: string;
  socketId: string;
  /** ISO-8601 of the token's `exp`. */
  expiresAt: string;
}

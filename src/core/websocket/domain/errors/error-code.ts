/** Every error code of the wire protocol. Clients switch on these; never rename one. */
export const ErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',
  RATE_LIMITED: 'RATE_LIMITED',
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  /** A dependency (Redis) was down, timed out or refused the write: retry after `details.retryAfterMs` (protocol 1.1). */
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

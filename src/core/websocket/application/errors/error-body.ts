import { HttpException, HttpStatus } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ErrorCode } from '../../domain/errors/error-code.js';
import type { ErrorBody } from '../../domain/interfaces/envelope.js';
import { RealtimeException } from './realtime.exception.js';

const BY_STATUS: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: 'BAD_REQUEST',
  [HttpStatus.UNAUTHORIZED]: 'UNAUTHORIZED',
  [HttpStatus.FORBIDDEN]: 'FORBIDDEN',
  [HttpStatus.NOT_FOUND]: 'NOT_FOUND',
  [HttpStatus.TOO_MANY_REQUESTS]: 'RATE_LIMITED',
};

const INTERNAL: ErrorBody = { code: 'INTERNAL', message: 'Internal server error' };

/**
 * What a client may learn of an error. `RealtimeException` speaks for itself;
 * Nest's own exceptions (a guard's 403, a pipe's 400, a `WsException`) map to
 * the nearest code with their public message; anything else is `INTERNAL`
 * with no trace of what happened inside.
 */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof RealtimeException) {
    return error.details === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, details: error.details };
  }
  if (error instanceof HttpException) {
    const code = BY_STATUS[error.getStatus()];
    return code ? { code, message: error.message } : INTERNAL;
  }
  if (error instanceof WsException) {
    const reply = error.getError();
    if (typeof reply === 'string') return { code: 'BAD_REQUEST', message: reply };
    const { code, message } = reply as { code?: unknown; message?: unknown };
    return {
      code: typeof code === 'string' && code in ErrorCode ? (code as ErrorCode) : 'BAD_REQUEST',
      message: typeof message === 'string' ? message : 'The request was refused',
    };
  }
  return INTERNAL;
}

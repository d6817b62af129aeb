import { IntrinsicException } from '@nestjs/common';
import type { ErrorCode } from '../../domain/errors/error-code.js';

// Here and not in domain/: it extends Nest's IntrinsicException, so Nest never logs it as a fault.

/**
 * The one error a handler throws to answer a client with a protocol error.
 * It becomes `{ ok: false, error: { code, message, details? } }` in the ack, or
 * the `exception` event when the client sent no ack. Nest does not log it:
 * it is an answer, not a fault.
 *
 * @example
 * throw new RealtimeException('FORBIDDEN', 'You may not use this room');
 */
export class RealtimeException extends IntrinsicException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RealtimeException';
  }
}

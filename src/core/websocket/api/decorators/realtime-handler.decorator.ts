import { applyDecorators, Injectable, SetMetadata, UsePipes } from '@nestjs/common';
import {
  ON_MESSAGE_METADATA,
  REALTIME_HANDLER_METADATA,
  type RealtimeHandlerOptions,
} from '../../application/realtime-handler.constants.js';
import { messageValidationPipe } from '../../infrastructure/pipes/message-validation.pipe.js';

export type { RealtimeHandlerOptions } from '../../application/realtime-handler.constants.js';

/**
 * Marks a provider whose `@OnMessage()` methods the router serves. The class is
 * an ordinary singleton injectable: declare it in its feature module's
 * `providers`. Bodies declared with `@MessageBody({ schema })` are validated,
 * and a failure answers `BAD_REQUEST` with the issues in `details`.
 *
 * @example
 * @RealtimeHandler({ contract: chatContract })
 * export class ChatHandlers {
 *   @OnMessage('chat:join')
 *   join(@MessageBody({ schema: joinSchema }) body: Join, @ConnectedSocket() socket: RealtimeSocket) {}
 * }
 */
export function RealtimeHandler(options: RealtimeHandlerOptions = {}): ClassDecorator {
  return applyDecorators(Injectable(), SetMetadata(REALTIME_HANDLER_METADATA, options), UsePipes(messageValidationPipe));
}

/**
 * Routes the wire event `event` (`domain:action`) to this method. The return
 * value (or resolved promise) is sent as `{ ok: true, data }`; a thrown
 * `RealtimeException` as the error envelope. Guards, pipes, interceptors and
 * filters declared on the method or class apply as on any Nest handler.
 *
 * @example
 * @OnMessage('chat:send')
 * send(@MessageBody({ schema: sendSchema }) body: Send, @CurrentUser() user: AuthenticatedUser) {}
 */
export function OnMessage(event: string): MethodDecorator {
  return SetMetadata(ON_MESSAGE_METADATA, event);
}

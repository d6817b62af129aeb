import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedUser } from '../../domain/interfaces/websocket-events.interface.js';
import type { RealtimeSocket } from '../../application/interfaces/realtime-socket.interface.js';

/**
 * The authenticated user of the socket that sent the event.
 *
 * @example
 * @OnMessage('presence:set')
 * set(@CurrentUser() user: AuthenticatedUser) { return this.presence.set(user.userId); }
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => context.switchToWs().getClient<RealtimeSocket>().data.user,
);

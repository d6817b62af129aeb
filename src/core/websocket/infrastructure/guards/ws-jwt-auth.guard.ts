import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { SessionService } from '../../application/services/session.service.js';
import type { RealtimeSocket } from '../../application/interfaces/realtime-socket.interface.js';

/**
 * The per-event session check: the socket has a user and its token has not
 * expired (`UNAUTHORIZED` / `TOKEN_EXPIRED` otherwise). The router already
 * runs this check before every event; use the guard where a handler must state
 * it explicitly, or on a gateway of your own.
 *
 * @example
 * @UseGuards(WsJwtAuthGuard)
 * @OnMessage('billing:charge')
 * charge() {}
 */
@Injectable()
export class WsJwtAuthGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}

  canActivate(context: ExecutionContext): boolean {
    this.sessions.assertActive(context.switchToWs().getClient<RealtimeSocket>());
    return true;
  }
}

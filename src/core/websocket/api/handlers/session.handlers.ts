import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { z } from 'zod';
import { SessionService } from '../../application/services/session.service.js';
import type { RealtimeSocket } from '../../domain/interfaces/websocket-events.interface.js';
import { OnMessage, RealtimeHandler } from '../decorators/realtime-handler.decorator.js';

export const refreshSchema = z.object({ token: z.string().min(1).max(16384) });

/** The core's own events: the session is transport, so it lives here and not in a feature. */
@RealtimeHandler()
export class SessionHandlers {
  constructor(private readonly sessions: SessionService) {}

  @OnMessage('auth:refresh')
  refresh(@MessageBody({ schema: refreshSchema }) body: z.infer<typeof refreshSchema>, @ConnectedSocket() socket: RealtimeSocket) {
    return this.sessions.refresh(socket, body.token);
  }
}

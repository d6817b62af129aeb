import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { z } from 'zod';
import { SessionService } from '../../application/services/session.service.js';
import type { RealtimeSocket } from '../../application/interfaces/realtime-socket.interface.js';
import { OnMessage, RealtimeHandler } from '../decorators/realtime-handler.decorator.js';
import { sessionContract } from '../session.contract.js';
import { refreshSchema } from '../session.schemas.js';

/** The core's own events: the session is transport, so it lives here and not in a feature. */
@RealtimeHandler({ contract: sessionContract })
export class SessionHandlers {
  constructor(private readonly sessions: SessionService) {}

  @OnMessage('auth:refresh')
  refresh(@MessageBody({ schema: refreshSchema }) body: z.infer<typeof refreshSchema>, @ConnectedSocket() socket: RealtimeSocket) {
    return this.sessions.refresh(socket, body.token);
  }
}

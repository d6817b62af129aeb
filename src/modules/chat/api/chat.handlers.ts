import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { OnMessage, RealtimeHandler, type RealtimeSocket } from '../../../core/websocket/index.js';
import { ChatService } from '../application/chat.service.js';
import { chatContract } from '../chat.contract.js';
import {
  historySchema,
  joinSchema,
  leaveSchema,
  sendSchema,
  typingSchema,
  type HistoryBody,
  type JoinBody,
  type LeaveBody,
  type SendBody,
  type TypingBody,
} from './chat.schemas.js';

/** The `chat:*` wire events: validation by schema, everything else in `ChatService`. */
@RealtimeHandler({ contract: chatContract })
export class ChatHandlers {
  constructor(private readonly chat: ChatService) {}

  @OnMessage('chat:join')
  join(@MessageBody({ schema: joinSchema }) body: JoinBody, @ConnectedSocket() socket: RealtimeSocket) {
    return this.chat.join(socket, body.roomId);
  }

  @OnMessage('chat:leave')
  leave(@MessageBody({ schema: leaveSchema }) body: LeaveBody, @ConnectedSocket() socket: RealtimeSocket) {
    return this.chat.leave(socket, body.roomId);
  }

  @OnMessage('chat:send')
  send(@MessageBody({ schema: sendSchema }) body: SendBody, @ConnectedSocket() socket: RealtimeSocket) {
    return this.chat.send(socket, body);
  }

  @OnMessage('chat:typing')
  typing(@MessageBody({ schema: typingSchema }) body: TypingBody, @ConnectedSocket() socket: RealtimeSocket) {
    return this.chat.typing(socket, body.roomId, body.typing);
  }

  @OnMessage('chat:history')
  history(@MessageBody({ schema: historySchema }) body: HistoryBody, @ConnectedSocket() socket: RealtimeSocket) {
    return this.chat.history(socket, body);
  }
}

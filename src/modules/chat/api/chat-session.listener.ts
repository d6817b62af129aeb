import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { RealtimeEvents, type SessionRefreshedEvent } from '../../../core/websocket/index.js';
import { ChatService } from '../application/chat.service.js';

/** Applies a refreshed token to the socket's chat rooms. The core awaits this before it answers `auth:refresh`. */
@Injectable()
export class ChatSessionListener {
  constructor(private readonly chat: ChatService) {}

  @OnEvent(RealtimeEvents.sessionRefreshed)
  onSessionRefreshed({ socket, user }: SessionRefreshedEvent): Promise<void> {
    return this.chat.recheckRooms(socket, user);
  }
}

import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { RealtimeEvents, type SessionRefreshedEvent } from '../../../core/websocket/index.js';
import { PresenceSubscriptions } from '../application/presence-subscriptions.service.js';

/** Applies a refreshed token to whom the socket may see. The core awaits this before it answers `auth:refresh`. */
@Injectable()
export class PresenceSessionListener {
  constructor(private readonly subscriptions: PresenceSubscriptions) {}

  @OnEvent(RealtimeEvents.sessionRefreshed)
  onSessionRefreshed({ socket, user }: SessionRefreshedEvent): Promise<void> {
    return this.subscriptions.recheck(socket, user);
  }
}

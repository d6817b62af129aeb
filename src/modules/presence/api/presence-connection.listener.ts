import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { RealtimeEvents, type PushesResumedEvent, type UserConnectionEvent } from '../../../core/websocket/index.js';
import { PresenceService } from '../application/presence.service.js';

/** Presence is derived from the registry: the core's first-socket and last-socket events drive it, and missed pushes are restated. */
@Injectable()
export class PresenceConnectionListener {
  constructor(private readonly presence: PresenceService) {}

  @OnEvent(RealtimeEvents.userConnected)
  onUserConnected(event: UserConnectionEvent): Promise<void> {
    return this.presence.userConnected(event);
  }

  @OnEvent(RealtimeEvents.userDisconnected)
  onUserDisconnected(event: UserConnectionEvent): void {
    this.presence.userDisconnected(event);
  }

  /** Updates other nodes pushed while this node's subscriber was down never arrived: restate them. */
  @OnEvent(RealtimeEvents.pushesResumed)
  onPushesResumed({ since }: PushesResumedEvent): Promise<void> {
    return this.presence.restate(since);
  }
}

import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { CurrentUser, OnMessage, RealtimeHandler, type AuthenticatedUser, type RealtimeSocket } from '../../../core/websocket/index.js';
import { PresenceService } from '../application/presence.service.js';
import { PresenceSubscriptions } from '../application/presence-subscriptions.service.js';
import type { PresenceEntry } from '../domain/presence-entry.js';
import { presenceContract } from '../presence.contract.js';
import { setStatusSchema, userIdsSchema, type SetStatusBody, type UserIdsBody } from './presence.schemas.js';

/** The `presence:*` events. Rules live in the services; this only maps the wire to them. */
@RealtimeHandler({ contract: presenceContract })
export class PresenceHandlers {
  constructor(
    private readonly presence: PresenceService,
    private readonly subscriptions: PresenceSubscriptions,
  ) {}

  /** Users the visibility policy hides read as never seen, and are watched without their updates. */
  @OnMessage('presence:subscribe')
  async subscribe(
    @MessageBody({ schema: userIdsSchema }) body: UserIdsBody,
    @ConnectedSocket() socket: RealtimeSocket,
  ): Promise<{ presence: PresenceEntry[] }> {
    return { presence: await this.subscriptions.subscribe(socket, body.userIds) };
  }

  @OnMessage('presence:unsubscribe')
  async unsubscribe(@MessageBody({ schema: userIdsSchema }) body: UserIdsBody, @ConnectedSocket() socket: RealtimeSocket): Promise<object> {
    await this.subscriptions.unsubscribe(socket, body.userIds);
    return {};
  }

  /** Users the visibility policy hides read as never seen. */
  @OnMessage('presence:query')
  async query(
    @MessageBody({ schema: userIdsSchema }) body: UserIdsBody,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<{ presence: PresenceEntry[] }> {
    return { presence: await this.subscriptions.query(user, body.userIds) };
  }

  @OnMessage('presence:set')
  set(@MessageBody({ schema: setStatusSchema }) body: SetStatusBody, @CurrentUser() user: AuthenticatedUser): Promise<PresenceEntry> {
    return this.presence.setStatus(user.userId, body.status);
  }
}

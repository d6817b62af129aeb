import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { z } from 'zod';
import { CurrentUser, OnMessage, RealtimeHandler, utf16String, type AuthenticatedUser, type RealtimeSocket } from '../../../core/websocket/index.js';
import { PresenceService } from '../application/presence.service.js';
import { PresenceSubscriptions } from '../application/presence-subscriptions.service.js';
import { SETTABLE_STATUSES, type PresenceEntry } from '../domain/presence-entry.js';

/** Most ids one request may name. */
export const MAX_USER_IDS_PER_REQUEST = 100;

const userId = utf16String(1, 128);

/** 1 to 100 user ids; repeats are dropped after the count is checked. */
export const userIdsSchema = z.object({
  userIds: z
    .array(userId)
    .min(1)
    .max(MAX_USER_IDS_PER_REQUEST)
    .transform((ids) => [...new Set(ids)]),
});
export type UserIdsBody = z.infer<typeof userIdsSchema>;

export const setStatusSchema = z.object({ status: z.enum(SETTABLE_STATUSES) });
export type SetStatusBody = z.infer<typeof setStatusSchema>;

/** The `presence:*` events. Rules live in the services; this only maps the wire to them. */
@RealtimeHandler()
export class PresenceHandlers {
  constructor(
    private readonly presence: PresenceService,
    private readonly subscriptions: PresenceSubscriptions,
  ) {}

  @OnMessage('presence:subscribe')
  async subscribe(
    @MessageBody({ schema: userIdsSchema }) body: UserIdsBody,
    @ConnectedSocket() socket: RealtimeSocket,
  ): Promise<{ presence: PresenceEntry[] }> {
    // Join first, read second: a change between the two still reaches the socket.
    await this.subscriptions.subscribe(socket, body.userIds);
    return { presence: await this.presence.get(body.userIds) };
  }

  @OnMessage('presence:unsubscribe')
  async unsubscribe(@MessageBody({ schema: userIdsSchema }) body: UserIdsBody, @ConnectedSocket() socket: RealtimeSocket): Promise<object> {
    await this.subscriptions.unsubscribe(socket, body.userIds);
    return {};
  }

  @OnMessage('presence:query')
  async query(@MessageBody({ schema: userIdsSchema }) body: UserIdsBody): Promise<{ presence: PresenceEntry[] }> {
    return { presence: await this.presence.get(body.userIds) };
  }

  @OnMessage('presence:set')
  set(@MessageBody({ schema: setStatusSchema }) body: SetStatusBody, @CurrentUser() user: AuthenticatedUser): Promise<PresenceEntry> {
    return this.presence.setStatus(user.userId, body.status);
  }
}

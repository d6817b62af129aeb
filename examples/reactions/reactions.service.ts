import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { RealtimeException, scopedKey, type RealtimeSocket } from 'nest-realtime';
import { ReactionPolicy } from './reaction.policy.js';
import type { ReactionBody, ReactionCount } from './reactions.schemas.js';

export const ReactionEvents = { changed: 'reactions.reaction.changed' } as const;

/** Every reaction of a message is kept, as the set of users who chose each emoji. In memory: an example, not a store. */
@Injectable()
export class ReactionsService {
  private readonly byMessage = new Map<string, Map<string, Set<string>>>();

  constructor(
    private readonly policy: ReactionPolicy,
    private readonly events: EventEmitter2,
  ) {}

  async add(socket: RealtimeSocket, body: ReactionBody): Promise<ReactionCount> {
    return this.change(socket, body, (users, userId) => users.add(userId));
  }

  async remove(socket: RealtimeSocket, body: ReactionBody): Promise<ReactionCount> {
    return this.change(socket, body, (users, userId) => users.delete(userId));
  }

  private async change(
    socket: RealtimeSocket,
    body: ReactionBody,
    apply: (users: Set<string>, userId: string) => unknown,
  ): Promise<ReactionCount> {
    if (!(await this.policy.canReact(socket, body.roomId))) {
      throw new RealtimeException('FORBIDDEN', 'Join the room before reacting in it');
    }
    const { userId } = socket.data.user;
    // Scoped to the socket's tenant: two tenants' rooms and messages never share a count.
    const key = scopedKey(`${body.roomId}\n${body.messageId}`);
    let emojis = this.byMessage.get(key);
    if (!emojis) this.byMessage.set(key, (emojis = new Map()));
    let users = emojis.get(body.emoji);
    if (!users) emojis.set(body.emoji, (users = new Set()));
    const before = users.size;
    apply(users, userId);
    const result: ReactionCount = { ...body, count: users.size, userId };
    // Other modules (and the push below) learn of a change through a domain event, never through the gateway.
    if (users.size !== before) this.events.emit(ReactionEvents.changed, result);
    return result;
  }
}

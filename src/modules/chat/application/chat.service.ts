import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  ConnectionManager,
  KeyedQueue,
  RealtimeException,
  type AuthenticatedUser,
  type RealtimeSocket,
} from '../../../core/websocket/internal.js';
import { CHAT_OPTIONS, type ResolvedChatOptions } from '../chat.options.js';
import { ChatEvents, type ChatMessageCreatedEvent } from '../domain/chat-events.js';
import type { ChatMessage } from '../domain/chat-message.js';
import { chatRoom, chatRoomIdsOf } from './chat-rooms.js';
import { extractMentions } from '../domain/mentions.js';
import { ChatMessageStore, type HistoryPage } from '../ports/chat-message-store.port.js';
import { IdempotencyStore } from '../ports/idempotency-store.port.js';
import { RoomAccessPolicy } from '../ports/room-access-policy.port.js';

export interface SendCommand {
  roomId: string;
  text: string;
  clientMsgId?: string;
}

export interface HistoryCommand {
  roomId: string;
  before?: string;
  after?: string;
  limit: number;
}

/** Why a socket was taken out of a room, as `chat:left` tells it. */
export type LeftReason = 'forbidden';

/**
 * The chat rules. Membership is Socket.IO's own room membership
 * (`chatRoom(id)` in `socket.rooms`), so it is per socket, dies with the
 * socket, and needs no bookkeeping here.
 */
@Injectable()
export class ChatService {
  private readonly logger = new Logger('Chat');
  /** Per socket, its membership changes: joins, leaves and re-checks apply one at a time, in the order they arrived. */
  private readonly membership = new KeyedQueue<RealtimeSocket>();

  constructor(
    private readonly policy: RoomAccessPolicy,
    private readonly store: ChatMessageStore,
    private readonly idempotency: IdempotencyStore,
    private readonly events: EventEmitter2,
    private readonly connections: ConnectionManager,
    @Inject(CHAT_OPTIONS) private readonly options: ResolvedChatOptions,
  ) {}

  join(socket: RealtimeSocket, roomId: string): Promise<{ roomId: string }> {
    return this.membership.run(socket, async () => {
      await this.assertAllowed(socket, roomId);
      const room = chatRoom(roomId);
      if (socket.rooms.has(room)) return { roomId };
      const { maxRoomsPerSocket } = this.options;
      if (chatRoomIdsOf(socket.rooms).length >= maxRoomsPerSocket) {
        throw new RealtimeException(
          'FORBIDDEN',
          `This socket is already in ${maxRoomsPerSocket} chat rooms, the most one socket may join; leave one first`,
          { maxRoomsPerSocket },
        );
      }
      // A socket that disconnected while the policy answered must not come back into a room.
      if (!socket.connected) throw new RealtimeException('FORBIDDEN', 'This socket is disconnected');
      // Answered once pushes from every node reach the socket in this room.
      await this.connections.join(socket, room);
      return { roomId };
    });
  }

  leave(socket: RealtimeSocket, roomId: string): Promise<{ roomId: string }> {
    return this.membership.run(socket, async () => {
      await socket.leave(chatRoom(roomId));
      return { roomId };
    });
  }

  /** Stores the message, then tells the room's other sockets; a retried `clientMsgId` returns the first message and tells no one. */
  async send(socket: RealtimeSocket, { roomId, text, clientMsgId }: SendCommand): Promise<ChatMessage> {
    this.assertJoined(socket, roomId, 'send to');
    const allowed = this.assertAllowed(socket, roomId);
    if (allowed) {
      await allowed;
      // The socket may have left while the policy answered.
      this.assertJoined(socket, roomId, 'send to');
    }
    const { userId } = socket.data.user;
    const append = () => this.store.append(roomId, { userId, text, ...(clientMsgId !== undefined && { clientMsgId }) });
    if (clientMsgId === undefined) {
      const message = await append();
      this.publish(socket, message);
      return message;
    }
    // JSON keeps the three parts apart whatever characters a user id or client id holds.
    const key = JSON.stringify(['chat:send', roomId, userId, clientMsgId]);
    const { value, created } = await this.idempotency.once(key, append);
    if (created) this.publish(socket, value);
    return value;
  }

  /** Volatile: a typing signal is worth nothing late, so it may be dropped rather than queued. */
  typing(socket: RealtimeSocket, roomId: string, typing: boolean): Record<string, never> {
    this.assertJoined(socket, roomId, 'type in');
    socket.to(chatRoom(roomId)).volatile.emit('chat:typing', { roomId, userId: socket.data.user.userId, typing });
    return {};
  }

  /** Reading needs the policy's consent only: a client catches up on a room before (or without) joining it. */
  async history(socket: RealtimeSocket, { roomId, before, after, limit }: HistoryCommand): Promise<HistoryPage> {
    const allowed = this.assertAllowed(socket, roomId);
    if (allowed) await allowed;
    // Awaited: an async function that returns a promise unawaited takes two more turns to settle.
    return await this.store.history(roomId, { before, after, limit });
  }

  /**
   * After `auth:refresh`: asks the policy again about every chat room the
   * socket is in, with the new token, and takes the socket out of each one it
   * refuses, telling it with `chat:left`. A room is kept only on a yes.
   */
  recheckRooms(socket: RealtimeSocket, user: AuthenticatedUser): Promise<void> {
    return this.membership.run(socket, async () => {
      const roomIds = chatRoomIdsOf(socket.rooms);
      const verdicts = await Promise.all(roomIds.map((roomId) => this.ask(user, roomId)));
      roomIds.forEach((roomId, index) => {
        if (!verdicts[index]) this.evict(socket, roomId, 'forbidden');
      });
    });
  }

  private assertJoined(socket: RealtimeSocket, roomId: string, action: string): void {
    if (!socket.rooms.has(chatRoom(roomId))) {
      throw new RealtimeException('FORBIDDEN', `Join the room before you ${action} it`);
    }
  }

  /**
   * Asks the policy with the socket's current user. A socket in a room the
   * policy now refuses is taken out of it too, so it stops receiving what it
   * may no longer read. A policy that fails here fails the request
   * (`INTERNAL`) and changes nothing: an outage is not a refusal.
   */
  private assertAllowed(socket: RealtimeSocket, roomId: string): Promise<void> | undefined {
    const verdict = this.policy.canAccess(socket.data.user, roomId);
    // A policy that answers at once (the claims policy does) costs the request no turn of the event loop.
    if (typeof verdict === 'boolean') return this.enforce(socket, roomId, verdict);
    return Promise.resolve(verdict).then((answer) => this.enforce(socket, roomId, answer));
  }

  private enforce(socket: RealtimeSocket, roomId: string, verdict: boolean): undefined {
    if (verdict === true) return undefined;
    if (socket.rooms.has(chatRoom(roomId))) this.evict(socket, roomId, 'forbidden');
    throw new RealtimeException('FORBIDDEN', 'You may not use this room');
  }

  /** For re-checks, which have no request to fail: a policy that fails counts as a refusal. */
  private async ask(user: AuthenticatedUser, roomId: string): Promise<boolean> {
    try {
      return (await this.policy.canAccess(user, roomId)) === true;
    } catch (error) {
      this.logger.error(`The room access policy failed for room "${roomId}"; refusing`, (error as Error)?.stack);
      return false;
    }
  }

  private evict(socket: RealtimeSocket, roomId: string, reason: LeftReason): void {
    void socket.leave(chatRoom(roomId));
    socket.emit('chat:left', { roomId, reason });
  }

  private publish(socket: RealtimeSocket, message: ChatMessage): void {
    // Through the adapter, so the room's sockets on every node get it; the sender has the ack instead.
    socket.to(chatRoom(message.roomId)).emit('chat:message', message);
    const event: ChatMessageCreatedEvent = { message: { ...message }, mentions: extractMentions(message.text, message.userId) };
    this.events.emit(ChatEvents.messageCreated, event);
  }
}

import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  RealtimeException,
  rooms,
  type AuthenticatedUser,
  type ConnectionManager,
  type RealtimeSocket,
} from '../../../core/websocket/index.js';
import type { ResolvedChatOptions } from '../chat.options.js';
import { ChatEvents, type ChatMessageCreatedEvent } from '../domain/chat-events.js';
import { chatRoom } from './chat-rooms.js';
import { ClaimsRoomAccessPolicy } from '../infrastructure/claims-room-access.policy.js';
import { InMemoryChatMessageStore } from '../infrastructure/in-memory-chat-message.store.js';
import { InMemoryIdempotencyStore } from '../infrastructure/in-memory-idempotency.store.js';
import type { RoomAccessPolicy } from '../ports/room-access-policy.port.js';
import { ChatService } from './chat.service.js';

const user = (userId: string, roomIds: string[] = ['*']): AuthenticatedUser => ({
  userId,
  claims: { rooms: roomIds },
  expiresAt: Date.now() + 60_000,
});

/** What a Socket.IO socket does for the service: its rooms, its user, and what it sent where. Socket.IO itself is outside the module. */
function fakeSocket(userId: string, roomIds?: string[]) {
  const sent: Array<[event: string, payload: unknown]> = [];
  const toRoom: Array<{ room: string; event: string; payload: unknown; volatile: boolean }> = [];
  const socket = {
    id: `${userId}-socket`,
    connected: true,
    rooms: new Set<string>([`${userId}-socket`, rooms.user(userId)]),
    data: { user: user(userId, roomIds) },
    join(room: string | string[]) {
      for (const name of [room].flat()) this.rooms.add(name);
    },
    async leave(room: string) {
      this.rooms.delete(room);
    },
    emit(event: string, payload: unknown) {
      sent.push([event, payload]);
      return true;
    },
    to(room: string) {
      const emit = (volatile: boolean) => (event: string, payload: unknown) => void toRoom.push({ room, event, payload, volatile });
      return { emit: emit(false), volatile: { emit: emit(true) } };
    },
  };
  return { socket: socket as unknown as RealtimeSocket, raw: socket, sent, toRoom };
}

describe('ChatService', () => {
  let policy: RoomAccessPolicy;
  let store: InMemoryChatMessageStore;
  let idempotency: InMemoryIdempotencyStore;
  let events: EventEmitter2;
  let created: ChatMessageCreatedEvent[];
  let joins: Array<[string, string | string[]]>;
  let chat: ChatService;
  const options: ResolvedChatOptions = { historyPerRoom: 1000, historyIdleTtlMs: 0, maxRoomsPerSocket: 3 };

  beforeEach(() => {
    policy = new ClaimsRoomAccessPolicy();
    store = new InMemoryChatMessageStore();
    idempotency = new InMemoryIdempotencyStore();
    events = new EventEmitter2();
    created = [];
    joins = [];
    events.on(ChatEvents.messageCreated, (event: ChatMessageCreatedEvent) => created.push(event));
    // The core's join waits for the cluster's subscription; on one node it is Socket.IO's join.
    const connections = {
      join: async (socket: RealtimeSocket, room: string | string[]) => {
        joins.push([socket.id, room]);
        socket.join(room);
      },
    } as unknown as ConnectionManager;
    chat = new ChatService(policy, store, idempotency, events, connections, options);
  });

  afterEach(() => {
    idempotency.close();
    jest.restoreAllMocks();
  });

  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as RealtimeException,
    );

  describe('join', () => {
    it('joins a room the policy allows, through the connection manager, and answers with its id', async () => {
      const { socket } = fakeSocket('ann', ['lobby']);
      expect(await chat.join(socket, 'lobby')).toEqual({ roomId: 'lobby' });
      expect(socket.rooms.has(chatRoom('lobby'))).toBe(true);
      expect(joins).toEqual([[socket.id, chatRoom('lobby')]]);
    });

    it('answers a second join of the same room without joining again', async () => {
      const { socket } = fakeSocket('ann');
      await chat.join(socket, 'lobby');
      expect(await chat.join(socket, 'lobby')).toEqual({ roomId: 'lobby' });
      expect(joins).toHaveLength(1);
    });

    it('refuses a room the policy refuses with FORBIDDEN, and joins nothing', async () => {
      const { socket } = fakeSocket('ann', ['lobby']);
      const error = await refusal(chat.join(socket, 'secret'));
      expect(error).toBeInstanceOf(RealtimeException);
      expect(error).toMatchObject({ code: 'FORBIDDEN' });
      expect(joins).toEqual([]);
    });

    it('refuses a room past maxRoomsPerSocket with FORBIDDEN, naming the limit', async () => {
      const { socket } = fakeSocket('ann');
      for (const roomId of ['a', 'b', 'c']) await chat.join(socket, roomId);
      const error = await refusal(chat.join(socket, 'd'));
      expect(error).toMatchObject({ code: 'FORBIDDEN', details: { maxRoomsPerSocket: 3 } });
      expect(socket.rooms.has(chatRoom('d'))).toBe(false);
      await chat.leave(socket, 'a');
      expect(await chat.join(socket, 'd')).toEqual({ roomId: 'd' });
    });

    it('does not bring back into a room a socket that disconnected while the policy answered', async () => {
      const { socket, raw } = fakeSocket('ann');
      jest.spyOn(policy, 'canAccess').mockImplementation(async () => {
        raw.connected = false;
        return true;
      });
      expect(await refusal(chat.join(socket, 'lobby'))).toMatchObject({ code: 'FORBIDDEN' });
      expect(joins).toEqual([]);
    });

    it('fails the join with the policy’s own error when the policy fails: an outage is not a refusal', async () => {
      const { socket } = fakeSocket('ann');
      const outage = new Error('membership service down');
      jest.spyOn(policy, 'canAccess').mockImplementation(async () => {
        throw outage;
      });
      expect(await refusal(chat.join(socket, 'lobby'))).toBe(outage);
    });
  });

  describe('leave', () => {
    it('leaves the room and answers with its id', async () => {
      const { socket } = fakeSocket('ann');
      await chat.join(socket, 'lobby');
      expect(await chat.leave(socket, 'lobby')).toEqual({ roomId: 'lobby' });
      expect(socket.rooms.has(chatRoom('lobby'))).toBe(false);
    });

    it('applies a socket’s joins and leaves in the order they arrived, even while the policy is slow', async () => {
      const { socket } = fakeSocket('ann');
      let answer!: (allowed: boolean) => void;
      jest.spyOn(policy, 'canAccess').mockImplementationOnce(() => new Promise<boolean>((resolve) => (answer = resolve)));
      const join = chat.join(socket, 'lobby');
      const leave = chat.leave(socket, 'lobby');
      await Promise.resolve();
      answer(true);
      await Promise.all([join, leave]);
      expect(socket.rooms.has(chatRoom('lobby'))).toBe(false);
    });
  });

  describe('send', () => {
    it('refuses a socket that has not joined the room', async () => {
      const { socket } = fakeSocket('ann');
      expect(await refusal(chat.send(socket, { roomId: 'lobby', text: 'hi' }))).toMatchObject({
        code: 'FORBIDDEN',
        message: 'Join the room before you send to it',
      });
    });

    it('stores the message, tells the room’s other sockets, and publishes chat.message.created with its mentions', async () => {
      const { socket, toRoom } = fakeSocket('ann');
      await chat.join(socket, 'lobby');
      const message = await chat.send(socket, { roomId: 'lobby', text: 'hi @bob and @ann' });
      expect(message).toMatchObject({ roomId: 'lobby', userId: 'ann', text: 'hi @bob and @ann' });
      expect((await store.history('lobby', { limit: 10 })).messages).toEqual([message]);
      expect(toRoom).toEqual([{ room: chatRoom('lobby'), event: 'chat:message', payload: message, volatile: false }]);
      expect(created).toEqual([{ message, mentions: ['bob'] }]);
    });

    it('answers a retried clientMsgId with the first message, stored and told once', async () => {
      const { socket, toRoom } = fakeSocket('ann');
      await chat.join(socket, 'lobby');
      const [first, retry] = await Promise.all([
        chat.send(socket, { roomId: 'lobby', text: 'once', clientMsgId: 'c1' }),
        chat.send(socket, { roomId: 'lobby', text: 'once', clientMsgId: 'c1' }),
      ]);
      expect(retry).toEqual(first);
      expect((await store.history('lobby', { limit: 10 })).messages).toHaveLength(1);
      expect(toRoom).toHaveLength(1);
      expect(created).toHaveLength(1);
    });

    it('keeps the same clientMsgId of two users, or of two rooms, apart', async () => {
      const ann = fakeSocket('ann').socket;
      const bob = fakeSocket('bob').socket;
      for (const socket of [ann, bob]) for (const roomId of ['a', 'b']) await chat.join(socket, roomId);
      const ids = await Promise.all([
        chat.send(ann, { roomId: 'a', text: 'x', clientMsgId: 'same' }),
        chat.send(bob, { roomId: 'a', text: 'x', clientMsgId: 'same' }),
        chat.send(ann, { roomId: 'b', text: 'x', clientMsgId: 'same' }),
      ]);
      expect(new Set(ids.map((message) => message.id + message.roomId)).size).toBe(3);
    });

    it('refuses, and takes the socket out, when the policy no longer allows a joined room', async () => {
      const { socket, sent } = fakeSocket('ann');
      await chat.join(socket, 'lobby');
      socket.data.user = user('ann', []);
      expect(await refusal(chat.send(socket, { roomId: 'lobby', text: 'hi' }))).toMatchObject({ code: 'FORBIDDEN' });
      expect(socket.rooms.has(chatRoom('lobby'))).toBe(false);
      expect(sent).toEqual([['chat:left', { roomId: 'lobby', reason: 'forbidden' }]]);
      expect((await store.history('lobby', { limit: 10 })).messages).toEqual([]);
    });

    it('refuses a socket that left the room while the policy answered', async () => {
      const { socket } = fakeSocket('ann');
      await chat.join(socket, 'lobby');
      jest.spyOn(policy, 'canAccess').mockImplementationOnce(async () => {
        await socket.leave(chatRoom('lobby'));
        return true;
      });
      expect(await refusal(chat.send(socket, { roomId: 'lobby', text: 'hi' }))).toMatchObject({ code: 'FORBIDDEN' });
      expect(created).toEqual([]);
    });
  });

  describe('typing', () => {
    it('tells the room’s other sockets, volatile, and answers with an empty object', async () => {
      const { socket, toRoom } = fakeSocket('ann');
      await chat.join(socket, 'lobby');
      expect(chat.typing(socket, 'lobby', true)).toEqual({});
      expect(toRoom).toEqual([
        { room: chatRoom('lobby'), event: 'chat:typing', payload: { roomId: 'lobby', userId: 'ann', typing: true }, volatile: true },
      ]);
    });

    it('refuses a socket that has not joined the room', () => {
      const { socket } = fakeSocket('ann');
      expect(() => chat.typing(socket, 'lobby', true)).toThrow(RealtimeException);
    });
  });

  describe('history', () => {
    it('answers a page to a socket the policy allows, joined or not', async () => {
      const writer = fakeSocket('ann').socket;
      await chat.join(writer, 'lobby');
      const first = await chat.send(writer, { roomId: 'lobby', text: 'one' });
      const second = await chat.send(writer, { roomId: 'lobby', text: 'two' });
      const reader = fakeSocket('bob', ['lobby']).socket;
      expect((await chat.history(reader, { roomId: 'lobby', limit: 10 })).messages).toEqual([first, second]);
      expect((await chat.history(reader, { roomId: 'lobby', before: second.id, limit: 10 })).messages).toEqual([first]);
    });

    it('refuses a socket the policy refuses', async () => {
      const reader = fakeSocket('bob', ['elsewhere']).socket;
      expect(await refusal(chat.history(reader, { roomId: 'lobby', limit: 10 }))).toMatchObject({ code: 'FORBIDDEN' });
    });
  });

  describe('recheckRooms', () => {
    it('keeps the rooms the new token allows and takes the socket out of the others, telling it with chat:left', async () => {
      const { socket, sent } = fakeSocket('ann');
      for (const roomId of ['a', 'b', 'c']) await chat.join(socket, roomId);
      await chat.recheckRooms(socket, user('ann', ['b']));
      expect([...socket.rooms].filter((room) => room.startsWith(chatRoom('')))).toEqual([chatRoom('b')]);
      expect(sent).toEqual([
        ['chat:left', { roomId: 'a', reason: 'forbidden' }],
        ['chat:left', { roomId: 'c', reason: 'forbidden' }],
      ]);
    });

    it('counts a policy that fails as a refusal, and logs it', async () => {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const { socket, sent } = fakeSocket('ann');
      await chat.join(socket, 'lobby');
      jest.spyOn(policy, 'canAccess').mockImplementation(async () => {
        throw new Error('membership service down');
      });
      await chat.recheckRooms(socket, user('ann'));
      expect(socket.rooms.has(chatRoom('lobby'))).toBe(false);
      expect(sent).toEqual([['chat:left', { roomId: 'lobby', reason: 'forbidden' }]]);
      expect(error).toHaveBeenCalledTimes(1);
    });

    it('waits for a join in flight, so a room joined just before the refresh is checked too', async () => {
      const { socket } = fakeSocket('ann');
      const join = chat.join(socket, 'lobby');
      const recheck = chat.recheckRooms(socket, user('ann', []));
      await Promise.all([join, recheck]);
      expect(socket.rooms.has(chatRoom('lobby'))).toBe(false);
    });
  });
});

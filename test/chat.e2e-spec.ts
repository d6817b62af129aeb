import { Injectable, Module } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import type { Socket } from 'socket.io-client';
import { RedisIoAdapter, WebsocketModule, type AuthenticatedUser } from '../src/core/websocket/index.js';
import { ChatEvents, ChatModule, RoomAccessPolicy, type ChatMessageCreatedEvent } from '../src/modules/chat/index.js';
import { SECRET, serve, startApp, type TestApp } from './support/app.js';
import { collect, nextEvent, request, settle } from './support/events.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const MESSAGE_ID = /^\d+-\d+$/;

const ok = (data: unknown) => ({ ok: true, data });
const failure = (code: string) => ({ ok: false, error: { code, message: expect.any(String) } });

describe('chat (e2e)', () => {
  const apps: TestApp[] = [];
  let t: TestApp;

  const start = async (env: Record<string, string> = {}): Promise<TestApp> => {
    const app = await startApp(env);
    apps.push(app);
    return app;
  };

  /** A socket of `userId` whose token grants `rooms` (no claim at all when `rooms` is undefined). */
  const connect = (userId: string, rooms?: string[], app = t): Promise<Socket> =>
    app.connect(userId, rooms === undefined ? {} : { claims: { rooms } });

  const join = async (socket: Socket, roomId: string): Promise<void> => {
    expect(await request(socket, 'chat:join', { roomId })).toEqual(ok({ roomId }));
  };

  const send = async (socket: Socket, roomId: string, text: string, clientMsgId?: string) => {
    const reply = await request(socket, 'chat:send', { roomId, text, ...(clientMsgId && { clientMsgId }) });
    expect(reply.ok).toBe(true);
    return reply.data;
  };

  beforeEach(async () => {
    t = await start();
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  describe('chat:join', () => {
    it('refuses a user whose token has no rooms claim with FORBIDDEN', async () => {
      const ann = await connect('ann');
      expect(await request(ann, 'chat:join', { roomId: 'a' })).toEqual(failure('FORBIDDEN'));
    });

    it('refuses a room the rooms claim does not list with FORBIDDEN, and allows one it lists', async () => {
      const ann = await connect('ann', ['a']);
      expect(await request(ann, 'chat:join', { roomId: 'b' })).toEqual(failure('FORBIDDEN'));
      await join(ann, 'a');
    });

    it('allows every room with the "*" claim', async () => {
      const ann = await connect('ann', ['*']);
      await join(ann, 'a');
      await join(ann, 'Some.Other_room-42');
    });

    it('answers a second join of the same room with success', async () => {
      const ann = await connect('ann', ['a']);
      await join(ann, 'a');
      await join(ann, 'a');
    });

    it('refuses a malformed room id with BAD_REQUEST and details', async () => {
      const ann = await connect('ann', ['*']);
      for (const roomId of ['', 'a b', 'x'.repeat(65), 'chat:a']) {
        expect(await request(ann, 'chat:join', { roomId })).toEqual({
          ok: false,
          error: { code: 'BAD_REQUEST', message: expect.any(String), details: [{ path: 'roomId', message: expect.any(String) }] },
        });
      }
      expect((await request(ann, 'chat:join')).error.code).toBe('BAD_REQUEST');
    });
  });

  describe('chat:send', () => {
    it('refuses a send to a room this socket has not joined with FORBIDDEN, and the room gets nothing', async () => {
      const ann = await connect('ann', ['a']);
      const bob = await connect('bob', ['a']);
      await join(bob, 'a');
      const seen = collect(bob, 'chat:message');
      expect(await request(ann, 'chat:send', { roomId: 'a', text: 'hello' })).toEqual(failure('FORBIDDEN'));
      await settle(bob);
      expect(seen).toEqual([]);
    });

    it("refuses a send from another tab that has not joined, though the user's first tab has", async () => {
      const tab1 = await connect('ann', ['a']);
      const tab2 = await connect('ann', ['a']);
      await join(tab1, 'a');
      expect(await request(tab2, 'chat:send', { roomId: 'a', text: 'hello' })).toEqual(failure('FORBIDDEN'));
    });

    it('stores the message, acks it, and delivers it to other members and other tabs of the sender but not the sending socket', async () => {
      const tab1 = await connect('ann', ['a']);
      const tab2 = await connect('ann', ['a']);
      const bob = await connect('bob', ['a']);
      const outsider = await connect('carol', ['a']);
      for (const socket of [tab1, tab2, bob]) await join(socket, 'a');
      const echoed = collect(tab1, 'chat:message');
      const overheard = collect(outsider, 'chat:message');
      const arriving = [tab2, bob].map((socket) => nextEvent(socket, 'chat:message'));

      const reply = await request(tab1, 'chat:send', { roomId: 'a', text: 'hello' });

      expect(reply).toEqual(
        ok({ id: expect.stringMatching(MESSAGE_ID), roomId: 'a', userId: 'ann', text: 'hello', sentAt: expect.stringMatching(ISO) }),
      );
      expect(await Promise.all(arriving)).toEqual([reply.data, reply.data]);
      await Promise.all([settle(tab1), settle(outsider)]);
      expect(echoed).toEqual([]);
      expect(overheard).toEqual([]);
      expect(await request(outsider, 'chat:history', { roomId: 'a' })).toEqual(ok({ messages: [reply.data], hasMore: false }));
    });

    it('gives increasing ids in the order messages were sent', async () => {
      const ann = await connect('ann', ['a']);
      await join(ann, 'a');
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await send(ann, 'a', `m${i}`)).id);
      const { data } = await request(ann, 'chat:history', { roomId: 'a' });
      expect(data.messages.map((message: { id: string }) => message.id)).toEqual(ids);
      expect(new Set(ids).size).toBe(5);
    });

    it('returns the original message for a resent clientMsgId and broadcasts nothing again', async () => {
      const ann = await connect('ann', ['a']);
      const bob = await connect('bob', ['a']);
      await join(ann, 'a');
      await join(bob, 'a');
      const seen = collect(bob, 'chat:message');

      const first = await send(ann, 'a', 'hello', 'c-1');
      expect(first).toMatchObject({ text: 'hello', clientMsgId: 'c-1' });
      expect(await send(ann, 'a', 'hello', 'c-1')).toEqual(first);
      // Even with other text: the key, not the content, identifies the send.
      expect(await send(ann, 'a', 'hello again', 'c-1')).toEqual(first);

      await settle(bob);
      expect(seen).toEqual([first]);
      expect((await request(ann, 'chat:history', { roomId: 'a' })).data.messages).toEqual([first]);
    });

    it('recognises a resend from a reconnected socket of the same user', async () => {
      const before = await connect('ann', ['a']);
      await join(before, 'a');
      const first = await send(before, 'a', 'hello', 'c-1');
      before.disconnect();
      const after = await connect('ann', ['a']);
      await join(after, 'a');
      expect(await send(after, 'a', 'hello', 'c-1')).toEqual(first);
    });

    it('keeps clientMsgIds of different users and different rooms apart', async () => {
      const ann = await connect('ann', ['a', 'b']);
      const bob = await connect('bob', ['a']);
      for (const [socket, roomId] of [
        [ann, 'a'],
        [ann, 'b'],
        [bob, 'a'],
      ] as const)
        await join(socket, roomId);
      const ids = new Set([
        (await send(ann, 'a', 'x', 'same')).id + 'a',
        (await send(ann, 'b', 'x', 'same')).id + 'b',
        (await send(bob, 'a', 'x', 'same')).id + 'a',
      ]);
      expect(ids.size).toBe(3);
      expect((await request(ann, 'chat:history', { roomId: 'a' })).data.messages).toHaveLength(2);
    });

    it('stores one message for two concurrent sends with the same clientMsgId', async () => {
      const ann = await connect('ann', ['a']);
      const bob = await connect('bob', ['a']);
      await join(ann, 'a');
      await join(bob, 'a');
      const seen = collect(bob, 'chat:message');

      const [one, two] = await Promise.all(
        [1, 2].map(() => request(ann, 'chat:send', { roomId: 'a', text: 'hello', clientMsgId: 'twice' })),
      );

      expect(one.ok).toBe(true);
      expect(two).toEqual(one);
      await settle(bob);
      expect(seen).toEqual([one.data]);
      expect((await request(ann, 'chat:history', { roomId: 'a' })).data.messages).toEqual([one.data]);
    });

    describe('text', () => {
      let ann: Socket;
      const badText = () => ({
        ok: false,
        error: { code: 'BAD_REQUEST', message: expect.any(String), details: [{ path: 'text', message: expect.any(String) }] },
      });

      beforeEach(async () => {
        ann = await connect('ann', ['a']);
        await join(ann, 'a');
      });

      it('refuses empty text with BAD_REQUEST and details', async () => {
        expect(await request(ann, 'chat:send', { roomId: 'a', text: '' })).toEqual(badText());
      });

      it('refuses text that is only white space with BAD_REQUEST and details', async () => {
        expect(await request(ann, 'chat:send', { roomId: 'a', text: ' \n\t ' })).toEqual(badText());
      });

      it('accepts 4000 characters and refuses 4001 with BAD_REQUEST and details', async () => {
        expect((await send(ann, 'a', 'x'.repeat(4000))).text).toHaveLength(4000);
        expect(await request(ann, 'chat:send', { roomId: 'a', text: 'x'.repeat(4001) })).toEqual(badText());
      });

      it('refuses text that is not a string, and a clientMsgId past 64 characters', async () => {
        expect((await request(ann, 'chat:send', { roomId: 'a', text: 42 })).error.code).toBe('BAD_REQUEST');
        const long = await request(ann, 'chat:send', { roomId: 'a', text: 'hi', clientMsgId: 'c'.repeat(65) });
        expect(long.error).toMatchObject({ code: 'BAD_REQUEST', details: [{ path: 'clientMsgId' }] });
      });

      it('ignores fields it does not know', async () => {
        const reply = await request(ann, 'chat:send', { roomId: 'a', text: 'hi', mood: { happy: true } });
        expect(reply.ok).toBe(true);
        expect(reply.data).not.toHaveProperty('mood');
      });
    });
  });

  describe('chat.message.created', () => {
    it('is raised once per stored message, with the distinct mentions other than the sender', async () => {
      const raised: ChatMessageCreatedEvent[] = [];
      t.app.get(EventEmitter2).on(ChatEvents.messageCreated, (event: ChatMessageCreatedEvent) => raised.push(event));
      const ann = await connect('ann', ['a']);
      await join(ann, 'a');

      const message = await send(ann, 'a', 'hi @bob, @carol.x and @ann; @bob again', 'c-1');
      await send(ann, 'a', 'hi @bob, @carol.x and @ann; @bob again', 'c-1');
      const quiet = await send(ann, 'a', 'nobody mentioned, mail ann@example.com');

      expect(raised).toEqual([
        { message, mentions: ['bob', 'carol.x'] },
        { message: quiet, mentions: [] },
      ]);
    });
  });

  describe('chat:history', () => {
    let ann: Socket;
    let sent: Array<{ id: string; text: string }>;
    const texts = (reply: { data: { messages: Array<{ text: string }> } }) => reply.data.messages.map((message) => message.text);
    const history = (body: Record<string, unknown>) => request(ann, 'chat:history', { roomId: 'a', ...body });

    beforeEach(async () => {
      ann = await connect('ann', ['a', 'b']);
      await join(ann, 'a');
      sent = [];
      for (let i = 1; i <= 5; i++) sent.push(await send(ann, 'a', `m${i}`));
    });

    it('gives the newest messages oldest first, 50 by default, with hasMore', async () => {
      expect(await history({})).toEqual(ok({ messages: sent, hasMore: false }));
      const page = await history({ limit: 2 });
      expect(texts(page)).toEqual(['m4', 'm5']);
      expect(page.data.hasMore).toBe(true);
    });

    it('pages back with before until hasMore is false', async () => {
      const first = await history({ before: sent[3].id, limit: 2 });
      expect(texts(first)).toEqual(['m2', 'm3']);
      expect(first.data.hasMore).toBe(true);
      const second = await history({ before: first.data.messages[0].id, limit: 2 });
      expect(texts(second)).toEqual(['m1']);
      expect(second.data.hasMore).toBe(false);
    });

    it('catches up with after until hasMore is false', async () => {
      const first = await history({ after: sent[0].id, limit: 3 });
      expect(texts(first)).toEqual(['m2', 'm3', 'm4']);
      expect(first.data.hasMore).toBe(true);
      const second = await history({ after: first.data.messages[2].id, limit: 3 });
      expect(texts(second)).toEqual(['m5']);
      expect(second.data.hasMore).toBe(false);
      expect(await history({ after: sent[4].id })).toEqual(ok({ messages: [], hasMore: false }));
    });

    it('needs the policy, not a join', async () => {
      const bob = await connect('bob', ['a']);
      expect(texts(await request(bob, 'chat:history', { roomId: 'a', limit: 1 }))).toEqual(['m5']);
      const carol = await connect('carol', ['b']);
      expect(await request(carol, 'chat:history', { roomId: 'a' })).toEqual(failure('FORBIDDEN'));
      expect(await request(ann, 'chat:history', { roomId: 'b' })).toEqual(ok({ messages: [], hasMore: false }));
    });

    it('refuses a malformed cursor, both cursors, and a limit out of 1..100 with BAD_REQUEST and details', async () => {
      expect((await history({ before: 'garbage' })).error).toMatchObject({ code: 'BAD_REQUEST', details: [{ path: 'before' }] });
      expect((await history({ after: '12' })).error).toMatchObject({ code: 'BAD_REQUEST', details: [{ path: 'after' }] });
      expect((await history({ before: sent[3].id, after: sent[0].id })).error).toMatchObject({
        code: 'BAD_REQUEST',
        details: [{ path: 'after' }],
      });
      for (const limit of [0, 101, 'ten'])
        expect((await history({ limit })).error).toMatchObject({ code: 'BAD_REQUEST', details: [{ path: 'limit' }] });
      expect((await history({ limit: 100 })).ok).toBe(true);
    });

    it('takes a well-formed id that names no message as a position', async () => {
      expect(await history({ before: '0-0' })).toEqual(ok({ messages: [], hasMore: false }));
      expect(texts(await history({ after: '0-0', limit: 1 }))).toEqual(['m1']);
    });

    it('keeps CHAT_HISTORY_PER_ROOM messages per room, the newest', async () => {
      const small = await start({ CHAT_HISTORY_PER_ROOM: '3' });
      const bob = await connect('bob', ['a'], small);
      await join(bob, 'a');
      for (let i = 1; i <= 5; i++) await send(bob, 'a', `m${i}`);
      expect(texts(await request(bob, 'chat:history', { roomId: 'a' }))).toEqual(['m3', 'm4', 'm5']);
    });
  });

  describe('chat:typing', () => {
    it('reaches the other sockets of the room, not the sender, and answers {}', async () => {
      const tab1 = await connect('ann', ['a']);
      const tab2 = await connect('ann', ['a']);
      const bob = await connect('bob', ['a']);
      for (const socket of [tab1, tab2, bob]) await join(socket, 'a');
      const echoed = collect(tab1, 'chat:typing');
      const arriving = [tab2, bob].map((socket) => nextEvent(socket, 'chat:typing'));

      expect(await request(tab1, 'chat:typing', { roomId: 'a', typing: true })).toEqual(ok({}));

      expect(await Promise.all(arriving)).toEqual([
        { roomId: 'a', userId: 'ann', typing: true },
        { roomId: 'a', userId: 'ann', typing: true },
      ]);
      await settle(tab1);
      expect(echoed).toEqual([]);
    });

    it('works without an ack', async () => {
      const ann = await connect('ann', ['a']);
      const bob = await connect('bob', ['a']);
      await join(ann, 'a');
      await join(bob, 'a');
      const arriving = nextEvent(bob, 'chat:typing');
      ann.emit('chat:typing', { roomId: 'a', typing: false });
      expect(await arriving).toEqual({ roomId: 'a', userId: 'ann', typing: false });
    });

    it('refuses typing in a room this socket has not joined with FORBIDDEN, and the room gets nothing', async () => {
      const ann = await connect('ann', ['a']);
      const bob = await connect('bob', ['a']);
      await join(bob, 'a');
      const seen = collect(bob, 'chat:typing');
      expect(await request(ann, 'chat:typing', { roomId: 'a', typing: true })).toEqual(failure('FORBIDDEN'));
      await settle(bob);
      expect(seen).toEqual([]);
    });
  });

  describe('chat:leave', () => {
    it('stops delivery to the socket, and its sends are FORBIDDEN afterwards', async () => {
      const ann = await connect('ann', ['a']);
      const bob = await connect('bob', ['a']);
      await join(ann, 'a');
      await join(bob, 'a');
      expect(await request(ann, 'chat:leave', { roomId: 'a' })).toEqual(ok({ roomId: 'a' }));
      const seen = collect(ann, 'chat:message');

      await send(bob, 'a', 'are you there?');
      await settle(ann);
      expect(seen).toEqual([]);
      expect(await request(ann, 'chat:send', { roomId: 'a', text: 'hi' })).toEqual(failure('FORBIDDEN'));
      expect(await request(ann, 'chat:typing', { roomId: 'a', typing: true })).toEqual(failure('FORBIDDEN'));
    });

    it('answers a leave of a room the socket is not in with success', async () => {
      const ann = await connect('ann');
      expect(await request(ann, 'chat:leave', { roomId: 'a' })).toEqual(ok({ roomId: 'a' }));
    });
  });

  describe('auth:refresh', () => {
    it('takes the socket out of each room the new token no longer allows, with chat:left before the reply', async () => {
      const ann = await connect('ann', ['a', 'b']);
      const otherTab = await connect('ann', ['a', 'b']);
      const bob = await connect('bob', ['b']);
      for (const [socket, roomId] of [
        [ann, 'a'],
        [ann, 'b'],
        [otherTab, 'b'],
        [bob, 'b'],
      ] as const)
        await join(socket, roomId);
      const order: unknown[] = [];
      ann.on('chat:left', (payload) => order.push(['chat:left', payload]));

      const reply = await request(ann, 'auth:refresh', { token: t.token('ann', { rooms: ['a'] }) });
      order.push(['reply', reply.ok]);

      expect(order).toEqual([
        ['chat:left', { roomId: 'b', reason: 'forbidden' }],
        ['reply', true],
      ]);
      const seen = collect(ann, 'chat:message');
      expect(await request(ann, 'chat:send', { roomId: 'b', text: 'still here?' })).toEqual(failure('FORBIDDEN'));
      await send(bob, 'b', 'not for ann any more');
      await send(ann, 'a', 'room a is still mine');
      // The refresh was this socket's: the other tab keeps its own token and rooms.
      await send(otherTab, 'b', 'the other tab is still in b');
      await settle(ann);
      expect(seen).toEqual([]);
    });

    it('keeps every room the new token still allows and sends no chat:left', async () => {
      const ann = await connect('ann', ['a']);
      await join(ann, 'a');
      const left = collect(ann, 'chat:left');
      expect((await request(ann, 'auth:refresh', { token: t.token('ann', { rooms: ['*'] }) })).ok).toBe(true);
      await send(ann, 'a', 'still in');
      expect(left).toEqual([]);
    });

    it('changes nothing when the new token is refused', async () => {
      const ann = await connect('ann', ['a']);
      await join(ann, 'a');
      const left = collect(ann, 'chat:left');
      expect((await request(ann, 'auth:refresh', { token: t.token('bob', {}) })).error.code).toBe('UNAUTHORIZED');
      await send(ann, 'a', 'still in');
      expect(left).toEqual([]);
    });
  });
});

/** A stand-in for an app's own membership source, in a module of its own. */
@Injectable()
class Memberships {
  readonly closed = new Set<string>();
  failing = false;
}

@Module({ providers: [Memberships], exports: [Memberships] })
class MembershipsModule {}

/** An app's own policy: async, with a dependency from another module, and blind to the token's claims. */
@Injectable()
class MembershipPolicy extends RoomAccessPolicy {
  constructor(private readonly memberships: Memberships) {
    super();
  }

  async canAccess(_user: AuthenticatedUser, roomId: string): Promise<boolean> {
    await Promise.resolve();
    if (this.memberships.failing) throw new Error('membership database is down');
    return !this.memberships.closed.has(roomId);
  }
}

describe('chat with its own access policy and options (e2e)', () => {
  let t: TestApp;
  let memberships: Memberships;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        WebsocketModule.forRoot({ auth: { secret: SECRET } }),
        ChatModule.forRoot({ maxRoomsPerSocket: 2, accessPolicy: MembershipPolicy, imports: [MembershipsModule] }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new RedisIoAdapter(app));
    t = await serve(app);
    memberships = app.get(Memberships);
  });

  afterEach(() => t.close());

  it('asks the replacement policy instead of the rooms claim', async () => {
    memberships.closed.add('closed');
    const ann = await t.connect('ann');
    expect(await request(ann, 'chat:join', { roomId: 'open' })).toEqual(ok({ roomId: 'open' }));
    expect(await request(ann, 'chat:join', { roomId: 'closed' })).toEqual(failure('FORBIDDEN'));
    expect(await request(ann, 'chat:history', { roomId: 'closed' })).toEqual(failure('FORBIDDEN'));
  });

  it('asks at every send: a refused send is FORBIDDEN and takes the socket out of the room with chat:left first', async () => {
    const ann = await t.connect('ann');
    const bob = await t.connect('bob');
    await request(ann, 'chat:join', { roomId: 'r' });
    await request(bob, 'chat:join', { roomId: 'r' });
    memberships.closed.add('r');
    const order: unknown[] = [];
    ann.on('chat:left', (payload) => order.push(['chat:left', payload]));
    const seen = collect(bob, 'chat:message');

    order.push(['reply', await request(ann, 'chat:send', { roomId: 'r', text: 'hi' })]);

    expect(order).toEqual([
      ['chat:left', { roomId: 'r', reason: 'forbidden' }],
      ['reply', failure('FORBIDDEN')],
    ]);
    expect(await request(ann, 'chat:typing', { roomId: 'r', typing: true })).toEqual(failure('FORBIDDEN'));
    await settle(bob);
    expect(seen).toEqual([]);
  });

  it('answers INTERNAL when the policy fails, and joins nothing', async () => {
    const ann = await t.connect('ann');
    memberships.failing = true;
    expect(await request(ann, 'chat:join', { roomId: 'r' })).toEqual(failure('INTERNAL'));
    memberships.failing = false;
    expect(await request(ann, 'chat:send', { roomId: 'r', text: 'hi' })).toEqual(failure('FORBIDDEN'));
  });

  it('takes the socket out of its rooms when the policy fails on a refresh', async () => {
    const ann = await t.connect('ann');
    await request(ann, 'chat:join', { roomId: 'r' });
    memberships.failing = true;
    const left = nextEvent(ann, 'chat:left');
    expect((await request(ann, 'auth:refresh', { token: t.token('ann') })).ok).toBe(true);
    expect(await left).toEqual({ roomId: 'r', reason: 'forbidden' });
  });

  it('caps the chat rooms of one socket at maxRoomsPerSocket with FORBIDDEN', async () => {
    const ann = await t.connect('ann');
    await request(ann, 'chat:join', { roomId: 'r1' });
    await request(ann, 'chat:join', { roomId: 'r2' });
    expect(await request(ann, 'chat:join', { roomId: 'r3' })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringContaining('2 chat rooms'), details: { maxRoomsPerSocket: 2 } },
    });
    // A room already joined is no extra room; the cap is per socket, not per user.
    expect(await request(ann, 'chat:join', { roomId: 'r1' })).toEqual(ok({ roomId: 'r1' }));
    const otherTab = await t.connect('ann');
    expect(await request(otherTab, 'chat:join', { roomId: 'r3' })).toEqual(ok({ roomId: 'r3' }));
    await request(ann, 'chat:leave', { roomId: 'r1' });
    expect(await request(ann, 'chat:join', { roomId: 'r3' })).toEqual(ok({ roomId: 'r3' }));
  });

  it('keeps a join and a leave sent back to back in order, even with a slow policy', async () => {
    const ann = await t.connect('ann');
    const bob = await t.connect('bob');
    await request(bob, 'chat:join', { roomId: 'r' });
    const [joined, left] = await Promise.all([request(ann, 'chat:join', { roomId: 'r' }), request(ann, 'chat:leave', { roomId: 'r' })]);
    expect([joined, left]).toEqual([ok({ roomId: 'r' }), ok({ roomId: 'r' })]);
    const seen = collect(ann, 'chat:message');
    await request(bob, 'chat:send', { roomId: 'r', text: 'anyone?' });
    await settle(ann);
    expect(seen).toEqual([]);
  });
});

import type { Socket } from 'socket.io-client';
import { compareMessageIds, type ChatMessage } from '../src/modules/chat/index.js';
import type { TestApp } from './support/app.js';
import { REDIS_MODES, startCluster, type TestCluster } from './support/cluster.js';
import { collect, eventually, nextEvent, request, settle } from './support/events.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/*
 * Negatives are proven with fences rather than sleeps: a later message sent
 * the same way travels the same Redis channel, so once it has arrived,
 * anything sent before it (a duplicate, a second broadcast) would have too.
 */
describe.each(REDIS_MODES)('chat across two nodes through %s (e2e)', (mode) => {
  let cluster: TestCluster;
  let node1: TestApp;
  let node2: TestApp;

  beforeEach(async () => {
    cluster = await startCluster(2, {}, mode);
    [node1, node2] = cluster.nodes as [TestApp, TestApp];
  });

  afterEach(() => cluster?.close());

  /** A socket of `userId` on `node` whose token grants every room (`rooms: []` grants none). */
  const connect = (node: TestApp, userId: string, rooms: string[] = ['*']): Promise<Socket> => node.connect(userId, { claims: { rooms } });

  const join = async (roomId: string, ...sockets: Socket[]): Promise<void> => {
    for (const socket of sockets) expect(await request(socket, 'chat:join', { roomId })).toEqual({ ok: true, data: { roomId } });
  };

  const send = async (socket: Socket, roomId: string, text: string, clientMsgId?: string): Promise<ChatMessage> => {
    const reply = await request(socket, 'chat:send', { roomId, text, ...(clientMsgId && { clientMsgId }) });
    expect(reply).toMatchObject({ ok: true });
    return reply.data;
  };

  /** Sends through `socket` and resolves once each of `to` has received that message as its next `chat:message`. */
  const sendAndDeliver = async (socket: Socket, to: Socket[], roomId: string, text: string, clientMsgId?: string): Promise<ChatMessage> => {
    const arriving = to.map((member) => nextEvent<ChatMessage>(member, 'chat:message'));
    const message = await send(socket, roomId, text, clientMsgId);
    expect(await Promise.all(arriving)).toEqual(to.map(() => message));
    return message;
  };

  const history = async (socket: Socket, query: Record<string, unknown>) => {
    const reply = await request(socket, 'chat:history', query);
    expect(reply.ok).toBe(true);
    return reply.data as { messages: ChatMessage[]; hasMore: boolean };
  };

  it("delivers a message sent on one node to the room's sockets on both nodes, once each, and not to the sending socket", async () => {
    const annOn1 = await connect(node1, 'ann');
    const annOn2 = await connect(node2, 'ann');
    const bobOn2 = await connect(node2, 'bob');
    const carolOn1 = await connect(node1, 'carol');
    const daveOn2 = await connect(node2, 'dave');
    await join('a', annOn1, annOn2, bobOn2, carolOn1);
    const [echoed, tab, bob, carol, dave] = [annOn1, annOn2, bobOn2, carolOn1, daveOn2].map((socket) =>
      collect<ChatMessage>(socket, 'chat:message'),
    );

    const first = await sendAndDeliver(annOn1, [annOn2, bobOn2, carolOn1], 'a', 'hello from node 1');
    expect(first).toEqual({
      id: expect.any(String),
      roomId: 'a',
      userId: 'ann',
      text: 'hello from node 1',
      sentAt: expect.stringMatching(ISO),
    });
    // The next message is the next thing each member gets: no copy of the first came in between.
    const fence = await sendAndDeliver(annOn1, [annOn2, bobOn2, carolOn1], 'a', 'fence');

    await Promise.all([settle(annOn1), settle(daveOn2)]);
    expect(echoed).toEqual([]);
    expect(dave).toEqual([]);
    for (const seen of [tab, bob, carol]) expect(seen).toEqual([first, fence]);
  });

  it('shares one history in acceptance order, whichever node each message was sent through', async () => {
    const ann = await connect(node1, 'ann');
    const bob = await connect(node2, 'bob');
    // History needs the policy's consent, not a join.
    const reader = await connect(node2, 'rita', ['a']);
    await join('a', ann, bob);

    const sent: ChatMessage[] = [];
    for (let i = 0; i < 6; i++) sent.push(await send(i % 2 === 0 ? ann : bob, 'a', `m${i} via node ${(i % 2) + 1}`));
    for (let i = 1; i < sent.length; i++) expect(compareMessageIds(sent[i - 1]!.id, sent[i]!.id)).toBeLessThan(0);

    for (const socket of [ann, bob, reader]) expect(await history(socket, { roomId: 'a' })).toEqual({ messages: sent, hasMore: false });
    expect(await history(reader, { roomId: 'a', before: sent[2]!.id, limit: 1 })).toEqual({ messages: [sent[1]], hasMore: true });
    expect(await history(ann, { roomId: 'a', after: sent[2]!.id, limit: 2 })).toEqual({ messages: sent.slice(3, 5), hasMore: true });
    expect(await history(bob, { roomId: 'a', after: sent[4]!.id })).toEqual({ messages: [sent[5]], hasMore: false });
  });

  it('answers a resend through the other node with the original message, and broadcasts nothing again', async () => {
    const annOn1 = await connect(node1, 'ann');
    const annOn2 = await connect(node2, 'ann');
    const bobOn2 = await connect(node2, 'bob');
    const carolOn1 = await connect(node1, 'carol');
    await join('a', annOn1, annOn2, bobOn2, carolOn1);
    const [tab1, tab2, bob, carol] = [annOn1, annOn2, bobOn2, carolOn1].map((socket) => collect<ChatMessage>(socket, 'chat:message'));

    const first = await sendAndDeliver(annOn1, [annOn2, bobOn2, carolOn1], 'a', 'hello', 'c-1');
    expect(first).toMatchObject({ text: 'hello', clientMsgId: 'c-1' });
    // The same user, the same room, the same clientMsgId, another node (and another text): the same send.
    expect(await send(annOn2, 'a', 'hello again', 'c-1')).toEqual(first);
    // Another user's c-1 is another send; it is also the next message everyone gets, so the resend broadcast nothing.
    const bobs = await sendAndDeliver(bobOn2, [annOn1, annOn2, carolOn1], 'a', 'mine', 'c-1');
    expect(bobs.id).not.toBe(first.id);
    const fence = await sendAndDeliver(annOn2, [annOn1, bobOn2, carolOn1], 'a', 'fence');

    expect(tab1).toEqual([bobs, fence]);
    expect(tab2).toEqual([first, bobs]);
    expect(bob).toEqual([first, fence]);
    expect(carol).toEqual([first, bobs, fence]);
    expect((await history(carolOn1, { roomId: 'a' })).messages).toEqual([first, bobs, fence]);
  });

  it('stores one message when the same clientMsgId is sent through both nodes at once', async () => {
    const annOn1 = await connect(node1, 'ann');
    const annOn2 = await connect(node2, 'ann');
    const bobOn1 = await connect(node1, 'bob');
    const carolOn2 = await connect(node2, 'carol');
    await join('a', annOn1, annOn2, bobOn1, carolOn2);
    const [bob, carol] = [bobOn1, carolOn2].map((socket) => collect<ChatMessage>(socket, 'chat:message'));

    const stored: ChatMessage[] = [];
    for (let round = 0; round < 5; round++) {
      const replies = await Promise.all([
        request(annOn1, 'chat:send', { roomId: 'a', text: `round ${round} via node 1`, clientMsgId: `same-${round}` }),
        request(annOn2, 'chat:send', { roomId: 'a', text: `round ${round} via node 2`, clientMsgId: `same-${round}` }),
      ]);
      expect(replies.map((reply) => reply.ok)).toEqual([true, true]);
      expect(replies[1].data).toEqual(replies[0].data);
      stored.push(replies[0].data);
    }
    // The last round's broadcast may still be on its way when its acks are in:
    // the fence is the message that arrives after everything sent before it.
    const fence = await send(annOn1, 'a', 'fence');
    await eventually(() => [bob, carol].every((seen) => seen.at(-1)?.id === fence.id), 3000, 'the fence at bob and carol');

    expect(bob).toEqual([...stored, fence]);
    expect(carol).toEqual([...stored, fence]);
    expect((await history(bobOn1, { roomId: 'a' })).messages).toEqual([...stored, fence]);
  });

  it('notifies every socket, on both nodes, of a user mentioned from outside the room, once each', async () => {
    const ann = await connect(node1, 'ann', ['a']);
    const bob = await connect(node2, 'bob', ['a']);
    const carolOn1 = await connect(node1, 'carol', []);
    const carolOn2 = await connect(node2, 'carol', []);
    await join('a', ann, bob);
    const [annSeen, bobSeen, carol1Seen, carol2Seen] = [ann, bob, carolOn1, carolOn2].map((socket) => collect(socket, 'notification'));

    const notified = () => Promise.all([carolOn1, carolOn2].map((socket) => nextEvent(socket, 'notification')));
    const arriving = notified();
    const message = await send(ann, 'a', 'hi @carol, look');
    const [onNode1, onNode2] = await arriving;
    expect(onNode1).toEqual({
      id: expect.any(String),
      type: 'mention',
      data: { roomId: 'a', messageId: message.id, from: 'ann', text: 'hi @carol, look' },
      createdAt: expect.stringMatching(ISO),
    });
    expect(onNode2).toEqual(onNode1);

    // A second mention is the next notification on each socket: the first came once.
    const next = notified();
    const second = await send(bob, 'a', '@carol again');
    const again = await next;
    for (const notification of again) expect(notification).toMatchObject({ data: { messageId: second.id, from: 'bob' } });

    await Promise.all([settle(ann), settle(bob)]);
    expect(annSeen).toEqual([]);
    expect(bobSeen).toEqual([]);
    expect(carol1Seen).toEqual([onNode1, again[0]]);
    expect(carol2Seen).toEqual([onNode2, again[1]]);
  });
});

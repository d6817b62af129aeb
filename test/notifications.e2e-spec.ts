import { EventEmitter2 } from '@nestjs/event-emitter';
import { startApp, type TestApp } from './support/app.js';
import { collect, nextEvent, request, settle } from './support/events.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('notifications (e2e)', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startApp();
  });

  afterEach(async () => {
    await t.close();
  });

  const message = (text: string, userId = 'alice') => ({
    id: '1893456000000-0',
    roomId: 'general',
    userId,
    text,
    sentAt: new Date().toISOString(),
  });

  /** Raises the chat module's event as it does after storing a message. */
  const messageCreated = (payload: { message: ReturnType<typeof message>; mentions: string[] }) =>
    t.app.get(EventEmitter2).emit('chat.message.created', payload);

  describe('chat.message.created', () => {
    it('sends a mention notification to every device of each mentioned user, and to nobody else', async () => {
      const sender = await t.connect('alice');
      const phone = await t.connect('bob');
      const laptop = await t.connect('bob');
      const carol = await t.connect('carol');
      const dave = await t.connect('dave');
      const unwanted = [sender, dave].map((socket) => collect(socket, 'notification'));
      const bobSeen = [phone, laptop].map((socket) => collect(socket, 'notification'));
      const arriving = [phone, laptop, carol].map((socket) => nextEvent(socket, 'notification'));

      const sent = message('hi @bob and @carol');
      messageCreated({ message: sent, mentions: ['bob', 'carol'] });
      const [onPhone, onLaptop, onCarol] = await Promise.all(arriving);

      expect(onPhone).toEqual({
        id: expect.stringMatching(UUID),
        type: 'mention',
        data: { roomId: 'general', messageId: sent.id, from: 'alice', text: 'hi @bob and @carol' },
        createdAt: expect.stringMatching(ISO),
      });
      // One notification per user, the same on each of their devices.
      expect(onLaptop).toEqual(onPhone);
      expect(onCarol).toMatchObject({ type: 'mention', data: onPhone.data });
      expect(onCarol.id).not.toBe(onPhone.id);

      await Promise.all([sender, dave, phone, laptop].map((socket) => settle(socket)));
      expect(unwanted).toEqual([[], []]);
      expect(bobSeen.map((seen) => seen.length)).toEqual([1, 1]);
    });

    it('never notifies the sender, even when the sender is among the mentions', async () => {
      const sender = await t.connect('alice');
      const bob = await t.connect('bob');
      const senderSeen = collect(sender, 'notification');
      const arriving = nextEvent(bob, 'notification');
      messageCreated({ message: message('@alice @bob'), mentions: ['alice', 'bob'] });
      expect((await arriving).data.from).toBe('alice');
      await settle(sender);
      expect(senderSeen).toEqual([]);
    });

    it('notifies each user once when a mention repeats', async () => {
      const bob = await t.connect('bob');
      const seen = collect(bob, 'notification');
      messageCreated({ message: message('@bob @bob'), mentions: ['bob', 'bob'] });
      await settle(bob);
      expect(seen).toHaveLength(1);
    });

    it('sends nothing for a message without mentions, and survives a mention of a user with no socket', async () => {
      const alice = await t.connect('alice');
      const bob = await t.connect('bob');
      const seen = [alice, bob].map((socket) => collect(socket, 'notification'));
      messageCreated({ message: message('no one here'), mentions: [] });
      messageCreated({ message: message('@ghost'), mentions: ['ghost'] });
      await Promise.all([settle(alice), settle(bob)]);
      expect(seen).toEqual([[], []]);
    });
  });

  describe('through chat:send', () => {
    it('notifies every device of a mentioned user who is not in the room, and not the sender or the room', async () => {
      const sender = await t.connect('alice', { claims: { rooms: ['general'] } });
      const member = await t.connect('carol', { claims: { rooms: ['general'] } });
      const phone = await t.connect('bob');
      const laptop = await t.connect('bob');
      expect((await request(sender, 'chat:join', { roomId: 'general' })).ok).toBe(true);
      expect((await request(member, 'chat:join', { roomId: 'general' })).ok).toBe(true);
      const unwanted = [sender, member].map((socket) => collect(socket, 'notification'));
      const arriving = [phone, laptop].map((socket) => nextEvent(socket, 'notification'));

      const reply = await request(sender, 'chat:send', { roomId: 'general', text: 'ping @bob' });
      expect(reply.ok).toBe(true);
      const [onPhone, onLaptop] = await Promise.all(arriving);

      expect(onPhone).toEqual({
        id: expect.stringMatching(UUID),
        type: 'mention',
        data: { roomId: 'general', messageId: reply.data.id, from: 'alice', text: 'ping @bob' },
        createdAt: expect.stringMatching(ISO),
      });
      expect(onLaptop).toEqual(onPhone);
      await Promise.all([settle(sender), settle(member)]);
      expect(unwanted).toEqual([[], []]);
    });
  });
});

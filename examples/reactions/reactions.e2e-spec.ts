import { ChatModule } from 'nest-realtime/chat';
import { collect, nextEvent, request, settle, startTestApp, type TestServer } from 'nest-realtime/testing';
import { ReactionsModule } from './reactions.module.js';
import type { ReactionCount } from './reactions.schemas.js';

describe('reactions', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestApp({ imports: [ChatModule.forRoot(), ReactionsModule] });
  });
  afterEach(() => server.close());

  const member = async (userId: string) => {
    const socket = await server.connect(userId, { claims: { rooms: ['lobby'] } });
    await request(socket, 'chat:join', { roomId: 'lobby' });
    return socket;
  };

  it('counts a reaction and pushes the new count to the room', async () => {
    const alice = await member('alice');
    const bob = await member('bob');
    const sent = await request(alice, 'chat:send', { roomId: 'lobby', text: 'ship it?' }); // typed: a built-in event
    if (!sent.ok) throw new Error(sent.error.message);
    const pushed = nextEvent<ReactionCount>(alice, 'reactions:updated');
    const reply = await request<ReactionCount>(bob, 'reactions:add', { roomId: 'lobby', messageId: sent.data.id, emoji: '🎉' });
    expect(reply).toEqual({ ok: true, data: { roomId: 'lobby', messageId: sent.data.id, emoji: '🎉', count: 1, userId: 'bob' } });
    expect(await pushed).toEqual(reply.ok && reply.data);
  });

  it('refuses a socket that has not joined the room, and pushes nothing', async () => {
    const alice = await member('alice');
    const outsider = await server.connect('mallory', { claims: { rooms: ['lobby'] } });
    const seen = collect<ReactionCount>(alice, 'reactions:updated');
    const reply = await request(outsider, 'reactions:add', { roomId: 'lobby', messageId: '1-0', emoji: '👍' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await settle(alice);
    expect(seen).toEqual([]);
  });

  it('validates the body: only the listed emoji', async () => {
    const alice = await member('alice');
    const reply = await request(alice, 'reactions:add', { roomId: 'lobby', messageId: '1-0', emoji: '💩' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', details: [{ path: 'emoji' }] } });
  });

  it("reaches the reacting user's other device outside the room, once", async () => {
    const alice = await member('alice');
    const alicePhone = await server.connect('alice', { claims: { rooms: ['lobby'] } });
    const onPhone = collect<ReactionCount>(alicePhone, 'reactions:updated');
    await request(alice, 'reactions:add', { roomId: 'lobby', messageId: '1-0', emoji: '❤️' });
    await request(alice, 'reactions:remove', { roomId: 'lobby', messageId: '1-0', emoji: '❤️' });
    await settle(alicePhone);
    expect(onPhone.map((change) => change.count)).toEqual([1, 0]);
  });
});

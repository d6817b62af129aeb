import { ChatModule } from '../../src/modules/chat/index.js';
import { collect, nextEvent, request, settle, startTestApp, type TestServer } from '../../src/testing/index.js';
import { ReactionsModule } from './reactions.module.js';

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
    const { data: message } = await request(alice, 'chat:send', { roomId: 'lobby', text: 'ship it?' });
    const pushed = nextEvent(alice, 'reactions:updated');
    const reply = await request(bob, 'reactions:add', { roomId: 'lobby', messageId: message.id, emoji: '🎉' });
    expect(reply).toEqual({ ok: true, data: { roomId: 'lobby', messageId: message.id, emoji: '🎉', count: 1, userId: 'bob' } });
    expect(await pushed).toEqual(reply.data);
  });

  it('refuses a socket that has not joined the room, and pushes nothing', async () => {
    const alice = await member('alice');
    const outsider = await server.connect('mallory', { claims: { rooms: ['lobby'] } });
    const seen = collect(alice, 'reactions:updated');
    const reply = await request(outsider, 'reactions:add', { roomId: 'lobby', messageId: '1-0', emoji: '👍' });
    expect(reply.error.code).toBe('FORBIDDEN');
    await settle(alice);
    expect(seen).toEqual([]);
  });

  it('validates the body: only the listed emoji', async () => {
    const alice = await member('alice');
    const reply = await request(alice, 'reactions:add', { roomId: 'lobby', messageId: '1-0', emoji: '💩' });
    expect(reply.error).toMatchObject({ code: 'BAD_REQUEST', details: [{ path: 'emoji' }] });
  });

  it("reaches the reacting user's other device outside the room, once", async () => {
    const alice = await member('alice');
    const alicePhone = await server.connect('alice', { claims: { rooms: ['lobby'] } });
    const onPhone = collect(alicePhone, 'reactions:updated');
    await request(alice, 'reactions:add', { roomId: 'lobby', messageId: '1-0', emoji: '❤️' });
    await request(alice, 'reactions:remove', { roomId: 'lobby', messageId: '1-0', emoji: '❤️' });
    await settle(alicePhone);
    expect(onPhone.map((change) => change.count)).toEqual([1, 0]);
  });
});

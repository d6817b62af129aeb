import { ChatModule } from 'nest-realtime/chat';
import { collect, eventually, nextEvent, request, settle, startTestApp, type TestServer } from 'nest-realtime/testing';
import type { Socket } from 'socket.io-client';
import { ReactionsModule } from './reactions.module.js';
import type { ReactionBody, ReactionCount } from './reactions.schemas.js';

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

/*
 * Two tenants, `acme` and `globex`, with the same user ids (alice, bob), the
 * same room id (`lobby`) and the same message id. The module names its rooms
 * through `chatRoom` and `emitter.toUser`, and keys its counts by `scopedKey`:
 * nothing else makes it tenant-aware. Negatives are proven with fences: a
 * later push of the same kind to the same socket travels the same way, so
 * once it arrived, anything wrongly sent before it would have too.
 */
describe('reactions across tenants', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestApp({ imports: [ChatModule.forRoot(), ReactionsModule], websocket: { auth: { tenantClaim: 'tenant' } } });
  });
  afterEach(() => server.close());

  const messageId = '1700000000000-0';
  const react = async (socket: Socket, event: 'reactions:add' | 'reactions:remove', emoji: ReactionBody['emoji'] = '🎉') => {
    const reply = await request<ReactionCount>(socket, event, { roomId: 'lobby', messageId, emoji });
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.data;
  };
  const device = (tenant: string, userId: string) => server.connect(userId, { claims: { tenant, rooms: ['lobby'] } });
  const member = async (tenant: string, userId: string) => {
    const socket = await device(tenant, userId);
    expect(await request(socket, 'chat:join', { roomId: 'lobby' })).toEqual({ ok: true, data: { roomId: 'lobby' } });
    return socket;
  };

  it('refuses a token without the tenant claim with UNAUTHORIZED', async () => {
    const refusal = await server.refuse({ token: server.token('alice', { rooms: ['lobby'] }) });
    expect(refusal.message).toBe('UNAUTHORIZED');
  });

  it('counts per tenant: the same emoji on the same message id in the other tenant starts at 1', async () => {
    const acmeAlice = await member('acme', 'alice');
    const acmeBob = await member('acme', 'bob');
    const globexAlice = await member('globex', 'alice');
    const globexBob = await member('globex', 'bob');

    expect(await react(acmeAlice, 'reactions:add')).toMatchObject({ count: 1, userId: 'alice' });
    // Not 2: acme's alice is not counted in globex.
    expect(await react(globexBob, 'reactions:add')).toMatchObject({ count: 1, userId: 'bob' });
    // Globex's alice is not acme's alice either: hers counts, and it is a change (so it is pushed).
    expect(await react(globexAlice, 'reactions:add')).toMatchObject({ count: 2, userId: 'alice' });
    // A removal in one tenant leaves the other's count alone.
    expect(await react(acmeAlice, 'reactions:remove')).toMatchObject({ count: 0, userId: 'alice' });
    expect(await react(globexBob, 'reactions:remove')).toMatchObject({ count: 1, userId: 'bob' });
    expect(await react(acmeBob, 'reactions:add')).toMatchObject({ count: 1, userId: 'bob' });
  });

  it("pushes a reaction to its tenant's room and its reacting user's other socket, never to the other tenant's", async () => {
    const acme = { alice: await member('acme', 'alice'), bob: await member('acme', 'bob'), alicePhone: await device('acme', 'alice') };
    const globex = {
      alice: await member('globex', 'alice'),
      bob: await member('globex', 'bob'),
      alicePhone: await device('globex', 'alice'),
    };
    const sockets = [...Object.values(acme), ...Object.values(globex)];
    const seen = new Map(sockets.map((socket) => [socket, collect<ReactionCount>(socket, 'reactions:updated')]));

    const acmeAdded = await react(acme.alice, 'reactions:add'); // acme's room, and acme alice's phone
    const globexAdded = await react(globex.alice, 'reactions:add'); // globex's room, and globex alice's phone
    const acmeBobAdded = await react(acme.bob, 'reactions:add'); // acme's room only (bob has no other socket)
    // The fences: the last push of each tenant to each of its sockets, sent after everything before.
    const acmeRemoved = await react(acme.alice, 'reactions:remove');
    const globexRemoved = await react(globex.alice, 'reactions:remove');
    const arrived = (socket: Socket, count: number) => seen.get(socket)!.length >= count;
    await eventually(
      () =>
        arrived(acme.alice, 3) &&
        arrived(acme.bob, 3) &&
        arrived(acme.alicePhone, 2) &&
        [...Object.values(globex)].every((s) => arrived(s, 2)),
      3000,
      'every fence',
    );
    await Promise.all(sockets.map((socket) => settle(socket)));

    expect(seen.get(acme.alice)).toEqual([acmeAdded, acmeBobAdded, acmeRemoved]);
    expect(seen.get(acme.bob)).toEqual([acmeAdded, acmeBobAdded, acmeRemoved]);
    expect(seen.get(acme.alicePhone)).toEqual([acmeAdded, acmeRemoved]);
    expect(seen.get(globex.alice)).toEqual([globexAdded, globexRemoved]);
    expect(seen.get(globex.bob)).toEqual([globexAdded, globexRemoved]);
    expect(seen.get(globex.alicePhone)).toEqual([globexAdded, globexRemoved]);
    expect([acmeAdded, globexAdded, acmeBobAdded, acmeRemoved, globexRemoved].map((change) => change.count)).toEqual([1, 1, 2, 1, 0]);
  });
});

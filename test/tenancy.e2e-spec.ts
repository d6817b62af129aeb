import type { Socket } from 'socket.io-client';
import type { ChatMessage } from '../src/modules/chat/index.js';
import type { PresenceEntry } from '../src/modules/presence/index.js';
import { openClient, ready, signToken, startApp, type TestApp } from './support/app.js';
import { REDIS_MODES, startCluster, type RedisMode, type TestCluster } from './support/cluster.js';
import { collect, eventually, nextEvent, request, settle } from './support/events.js';
import { runWorker } from './support/publisher-worker.js';

const KEY = 'a-publish-api-key-of-at-least-32-characters';
const ENV = { JWT_TENANT_CLAIM: 'tenant', PUBLISH_API_KEY: KEY, WS_MAX_CONNECTIONS_PER_USER: '2', PRESENCE_OFFLINE_GRACE_MS: '200' };

/*
 * Two tenants, `acme` and `globex`, with the same user ids (ann, bob) and the
 * same room (`general`). Whatever one tenant does, the other's sockets get
 * nothing of it and read nothing of it. Negatives are proven with fences: a
 * later push of the same kind to the same sockets travels the same way, so
 * once it arrived, anything wrongly sent before it would have too.
 */
describe.each([
  ['on one node, in memory', 1, undefined],
  ...REDIS_MODES.map((mode) => [`on two nodes through ${mode}`, 2, mode] as const),
] as Array<readonly [string, number, RedisMode | undefined]>)('tenant isolation %s (e2e)', (_name, count, mode) => {
  let cluster: TestCluster | undefined;
  let single: TestApp | undefined;
  let node1: TestApp;
  let node2: TestApp;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    if (count === 1) {
      single = await startApp(ENV);
      node1 = node2 = single;
    } else {
      cluster = await startCluster(2, ENV, mode);
      [node1, node2] = cluster.nodes as [TestApp, TestApp];
    }
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await cluster?.close();
    await single?.close();
    cluster = single = undefined;
  });

  const connect = async (node: TestApp, tenant: string, userId: string): Promise<Socket> => {
    const socket = await node.connect(userId, { claims: { tenant, rooms: ['*'] } });
    sockets.push(socket);
    return socket;
  };

  const refusal = async (node: TestApp, claims: Record<string, unknown>, userId = 'ann'): Promise<unknown> => {
    const socket = openClient(node.url, { token: signToken(userId, claims) });
    sockets.push(socket);
    return ready(socket).then(
      () => 'connected',
      (error: { message: string }) => error.message,
    );
  };

  const join = async (roomId: string, ...members: Socket[]): Promise<void> => {
    for (const socket of members) expect(await request(socket, 'chat:join', { roomId })).toEqual({ ok: true, data: { roomId } });
  };

  const send = async (socket: Socket, text: string, clientMsgId?: string): Promise<ChatMessage> => {
    const reply = await request(socket, 'chat:send', { roomId: 'general', text, ...(clientMsgId && { clientMsgId }) });
    expect(reply).toMatchObject({ ok: true });
    return reply.data;
  };

  const publish = (body: unknown) =>
    fetch(`${node1.url}/realtime/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify(body),
    });

  it('refuses a token without a tenant (a non-empty string) with UNAUTHORIZED, and takes any string as a tenant of its own', async () => {
    expect(await refusal(node1, { rooms: ['*'] })).toBe('UNAUTHORIZED');
    expect(await refusal(node1, { tenant: '' })).toBe('UNAUTHORIZED');
    expect(await refusal(node1, { tenant: 42 })).toBe('UNAUTHORIZED');
    expect(await refusal(node1, { tenant: ['acme'] })).toBe('UNAUTHORIZED');
    // A lone surrogate: Redis would store it as U+FFFD, where two such tenants would meet.
    expect(await refusal(node1, { tenant: 'acme\ud800' })).toBe('UNAUTHORIZED');
    expect(await refusal(node1, { tenant: 'acme' })).toBe('connected');
    expect(await refusal(node1, { tenant: 'Acme Corp / EU' })).toBe('connected');
  });

  it('refreshes a session with a token of the same tenant only', async () => {
    const acmeAnn = await connect(node1, 'acme', 'ann');
    const refresh = (claims: Record<string, unknown>) =>
      request(acmeAnn, 'auth:refresh', { token: signToken('ann', { rooms: ['*'], ...claims }) });
    expect(await refresh({ tenant: 'globex' })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(await refresh({})).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(await refresh({ tenant: 'acme' })).toMatchObject({ ok: true });
  });

  it('keeps messages, typing, history, idempotency and mentions of the same room id apart', async () => {
    const acmeAnn = await connect(node1, 'acme', 'ann');
    const acmeBob = await connect(node2, 'acme', 'bob');
    const globexAnn = await connect(node2, 'globex', 'ann');
    const globexBob = await connect(node1, 'globex', 'bob');
    await join('general', acmeAnn, acmeBob, globexAnn, globexBob);
    const seen = new Map(
      [acmeAnn, acmeBob, globexAnn, globexBob].map((socket) => [
        socket,
        {
          messages: collect<ChatMessage>(socket, 'chat:message'),
          typing: collect<unknown>(socket, 'chat:typing'),
          notifications: collect<{ type: string; data: { from: string } }>(socket, 'notification'),
        },
      ]),
    );

    // The same client message id in both tenants: two messages, each in its own tenant.
    const arrivingAcme = nextEvent<ChatMessage>(acmeBob, 'chat:message');
    const acmeMessage = await send(acmeAnn, 'hello @bob from acme', 'c-1');
    expect(await arrivingAcme).toEqual(acmeMessage);
    const arrivingGlobex = nextEvent<ChatMessage>(globexBob, 'chat:message');
    const globexMessage = await send(globexAnn, 'hello from globex', 'c-1');
    expect(globexMessage).toMatchObject({ roomId: 'general', userId: 'ann', text: 'hello from globex', clientMsgId: 'c-1' });
    expect(await arrivingGlobex).toEqual(globexMessage);
    // A retry is answered from its own tenant's memory.
    expect(await send(acmeAnn, 'hello @bob from acme', 'c-1')).toEqual(acmeMessage);

    expect(await request(acmeAnn, 'chat:typing', { roomId: 'general', typing: true })).toEqual({ ok: true, data: {} });
    await eventually(() => seen.get(acmeBob)!.typing.length === 1);
    // The mention reached acme's bob; globex's bob is mentioned by nobody.
    await eventually(() => seen.get(acmeBob)!.notifications.length === 1);
    expect(seen.get(acmeBob)!.notifications[0]).toMatchObject({ type: 'mention', data: { from: 'ann' } });

    // Fences: each tenant's last message reached the other member, so anything sent across would have too.
    const fenceAcme = nextEvent<ChatMessage>(acmeAnn, 'chat:message');
    const fenceGlobex = nextEvent<ChatMessage>(globexAnn, 'chat:message');
    const lastAcme = await send(acmeBob, 'fence acme');
    const lastGlobex = await send(globexBob, 'fence globex');
    await Promise.all([fenceAcme, fenceGlobex]);
    await Promise.all([...seen.keys()].map((socket) => settle(socket)));
    expect(seen.get(acmeAnn)!.messages).toEqual([lastAcme]);
    expect(seen.get(acmeBob)!.messages).toEqual([acmeMessage]);
    expect(seen.get(globexAnn)!.messages).toEqual([lastGlobex]);
    expect(seen.get(globexBob)!.messages).toEqual([globexMessage]);
    expect(seen.get(globexAnn)!.typing).toEqual([]);
    expect(seen.get(globexBob)!.typing).toEqual([]);
    expect(seen.get(globexBob)!.notifications).toEqual([]);
    expect(seen.get(globexAnn)!.notifications).toEqual([]);

    const page = async (socket: Socket) => (await request(socket, 'chat:history', { roomId: 'general', limit: 50 })).data.messages;
    expect(await page(acmeBob)).toEqual([acmeMessage, lastAcme]);
    expect(await page(globexBob)).toEqual([globexMessage, lastGlobex]);
    // No metric carries a tenant (nor any other id).
    const metrics = await (await fetch(`${node1.url}/metrics`)).text();
    expect(metrics).toContain('chat:send');
    expect(metrics).not.toMatch(/acme|globex/);
  });

  it('keeps presence apart: updates, queries and subscriptions name the watcher’s tenant only', async () => {
    const acmeWatcher = await connect(node1, 'acme', 'watcher');
    const globexWatcher = await connect(node2, 'globex', 'watcher');
    const never: PresenceEntry = { userId: 'ann', status: 'offline', lastSeenAt: null };
    for (const watcher of [acmeWatcher, globexWatcher]) {
      expect(await request(watcher, 'presence:subscribe', { userIds: ['ann'] })).toEqual({ ok: true, data: { presence: [never] } });
    }
    const acmeUpdates = collect<PresenceEntry>(acmeWatcher, 'presence:update');
    const globexUpdates = collect<PresenceEntry>(globexWatcher, 'presence:update');

    // acme's ann comes online and turns busy: only acme's watcher hears of it, and only acme's query shows it.
    const acmeAnn = await connect(node2, 'acme', 'ann');
    await eventually(() => acmeUpdates.length === 1);
    expect(await request(acmeAnn, 'presence:set', { status: 'busy' })).toMatchObject({ ok: true, data: { userId: 'ann', status: 'busy' } });
    await eventually(() => acmeUpdates.length === 2);
    expect(acmeUpdates.map((entry) => [entry.userId, entry.status])).toEqual([
      ['ann', 'online'],
      ['ann', 'busy'],
    ]);
    expect((await request(globexWatcher, 'presence:query', { userIds: ['ann'] })).data).toEqual({ presence: [never] });
    expect((await request(acmeWatcher, 'presence:query', { userIds: ['ann'] })).data.presence).toMatchObject([
      { userId: 'ann', status: 'busy' },
    ]);

    // Then globex's ann: her own online reaches globex's watcher, and not acme's.
    const globexAnn = await connect(node1, 'globex', 'ann');
    await eventually(() => globexUpdates.length === 1);
    expect(globexUpdates[0]).toMatchObject({ userId: 'ann', status: 'online' });
    // Fence: acme's ann goes away; acme's watcher gets that after anything globex's ann caused.
    expect((await request(acmeAnn, 'presence:set', { status: 'away' })).ok).toBe(true);
    await eventually(() => acmeUpdates.length === 3);
    expect(acmeUpdates[2]).toMatchObject({ userId: 'ann', status: 'away' });
    await settle(globexWatcher);
    expect(globexUpdates).toHaveLength(1);

    // acme's ann leaves: offline after the grace, for acme only; globex's ann stays online.
    acmeAnn.disconnect();
    await eventually(() => acmeUpdates.length === 4, 10_000);
    expect(acmeUpdates[3]).toMatchObject({ userId: 'ann', status: 'offline' });
    expect((await request(globexWatcher, 'presence:query', { userIds: ['ann'] })).data.presence).toMatchObject([
      { userId: 'ann', status: 'online' },
    ]);
    expect(globexUpdates).toHaveLength(1);
    globexAnn.disconnect();
  });

  it('publishes to one tenant’s user or room, and refuses a push that names no tenant', async () => {
    const acmeAnn = await connect(node1, 'acme', 'ann');
    const globexAnn = await connect(node2, 'globex', 'ann');
    const acmeBob = await connect(node2, 'acme', 'bob');
    await join('general', acmeBob);
    const acme = collect<{ type: string }>(acmeAnn, 'notification');
    const globex = collect<{ type: string }>(globexAnn, 'notification');
    const room = collect<{ type: string }>(acmeBob, 'notification');

    const refused = await publish({ to: { userId: 'ann' }, event: 'notification', data: { type: 'hello', data: {} } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'BAD_REQUEST', details: [{ path: 'to.tenant' }] } });

    expect(
      (await publish({ to: { userId: 'ann', tenant: 'acme' }, event: 'notification', data: { type: 'first', data: {} } })).status,
    ).toBe(202);
    expect(
      (await publish({ to: { roomId: 'general', tenant: 'acme' }, event: 'notification', data: { type: 'room', data: {} } })).status,
    ).toBe(202);
    // The fence: globex's ann gets this one, and it left after acme's pushes.
    expect(
      (await publish({ to: { userIds: ['ann'], tenant: 'globex' }, event: 'notification', data: { type: 'fence', data: {} } })).status,
    ).toBe(202);
    await eventually(() => globex.length === 1 && acme.length === 1 && room.length === 1);
    expect(globex.map((n) => n.type)).toEqual(['fence']);
    expect(acme.map((n) => n.type)).toEqual(['first']);
    expect(room.map((n) => n.type)).toEqual(['room']);
  });

  it('keeps a tenant whose name holds a / or a % apart from the one it spells', async () => {
    const acmeAnn = await connect(node1, 'acme', 'ann');
    const tricky = await connect(node2, 'acme/ann', 'x');
    const percent = await connect(node2, 'acme%2Fann', 'x');
    await join('general', acmeAnn);
    for (const socket of [tricky, percent]) expect(await request(socket, 'chat:join', { roomId: 'general' })).toMatchObject({ ok: true });
    const got = collect<ChatMessage>(acmeAnn, 'chat:message');
    const trickyGot = collect<ChatMessage>(tricky, 'chat:message');
    await send(tricky, 'from acme/ann');
    await send(percent, 'from acme%2Fann');
    const fence = nextEvent<ChatMessage>(acmeAnn, 'chat:message');
    const other = await connect(node2, 'acme', 'bob');
    await join('general', other);
    const last = await send(other, 'fence');
    await fence;
    expect(got).toEqual([last]);
    expect(trickyGot).toEqual([]);
    expect((await request(tricky, 'chat:history', { roomId: 'general', limit: 10 })).data.messages.map((m: ChatMessage) => m.text)).toEqual(
      ['from acme/ann'],
    );
  });

  it('counts the connection cap per tenant and user', async () => {
    await connect(node1, 'acme', 'ann');
    await connect(node2, 'acme', 'ann');
    expect(await refusal(node1, { tenant: 'acme' }, 'ann')).toBe('TOO_MANY_CONNECTIONS');
    await connect(node1, 'globex', 'ann');
    await connect(node2, 'globex', 'ann');
    expect(await refusal(node2, { tenant: 'globex' }, 'ann')).toBe('TOO_MANY_CONNECTIONS');
  });
});

describe('a worker’s publisher with tenants (e2e)', () => {
  let cluster: TestCluster;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    cluster = await startCluster(2, ENV);
  });

  afterAll(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await cluster?.close();
  });

  it('pushes to one tenant’s users and rooms, and refuses a push that names no tenant', async () => {
    const [node1, node2] = cluster.nodes as [TestApp, TestApp];
    const open = async (node: TestApp, tenant: string, userId: string) => {
      const socket = await node.connect(userId, { claims: { tenant, rooms: ['*'] } });
      sockets.push(socket);
      return socket;
    };
    const acmeAnn = await open(node1, 'acme', 'ann');
    const globexAnn = await open(node2, 'globex', 'ann');
    const globexBob = await open(node1, 'globex', 'bob');
    expect(await request(globexBob, 'chat:join', { roomId: 'general' })).toMatchObject({ ok: true });
    expect(await request(acmeAnn, 'chat:join', { roomId: 'general' })).toMatchObject({ ok: true });
    const got = new Map([acmeAnn, globexAnn, globexBob].map((socket) => [socket, collect<{ type: string }>(socket, 'notification')]));
    const note = (type: string) => ({ type, data: {} });

    // A publisher that does not know of tenants: ids spelled like a tenant's name no tenant's user or room.
    const unaware = await runWorker(cluster.redis.url, [
      { to: { userId: 'acme/ann' }, event: 'notification', data: note('spelled.user') },
      { to: { roomId: 'acme/general' }, event: 'notification', data: note('spelled.room') },
    ]);
    // (A room id no socket could have joined is refused before it leaves.)
    expect(unaware).toEqual(['ok', expect.stringMatching(/^refused PublishError/)]);
    const lines = await runWorker(
      cluster.redis.url,
      [
        { to: { userId: 'ann' }, event: 'notification', data: note('untargeted') },
        { to: { userId: 'ann', tenant: 'globex' }, event: 'notification', data: note('for.globex') },
        { to: { roomId: 'general', tenant: 'globex' }, event: 'notification', data: note('room') },
        { to: { userIds: ['ann'], tenant: 'acme\ud800' }, event: 'notification', data: note('bad.tenant') },
        // The fence for acme's ann: it travels the same channel after the others.
        { to: { userIds: ['ann'], tenant: 'acme' }, event: 'notification', data: note('fence') },
      ],
      true,
    );
    expect(lines).toEqual([
      expect.stringMatching(/^refused PublishError: .*inTenant/),
      'ok',
      'ok',
      expect.stringMatching(/^refused PublishError/),
      'ok',
    ]);
    await eventually(() => got.get(acmeAnn)!.length === 1 && got.get(globexAnn)!.length === 1 && got.get(globexBob)!.length === 1);
    expect(got.get(acmeAnn)!.map((n) => n.type)).toEqual(['fence']);
    expect(got.get(globexAnn)!.map((n) => n.type)).toEqual(['for.globex']);
    expect(got.get(globexBob)!.map((n) => n.type)).toEqual(['room']);
  });
});

import type { Socket } from 'socket.io-client';
import type { TestApp } from './support/app.js';
import { startCluster, type TestCluster } from './support/cluster.js';
import { collect, nextEvent, request } from './support/events.js';
import { runWorker } from './support/publisher-worker.js';

const KEY = 'a-publish-api-key-of-at-least-32-characters';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The push in `to`'s notifications, by its `data.n`. */
const notification = (type: string, n: number) => ({ type, data: { n } });

describe('publishing from outside the nodes (e2e)', () => {
  let cluster: TestCluster;
  let node1: TestApp;
  let node2: TestApp;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    cluster = await startCluster(2, { PUBLISH_API_KEY: KEY });
    [node1, node2] = cluster.nodes as [TestApp, TestApp];
  });

  afterAll(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await cluster?.close();
  });

  const connect = async (node: TestApp, userId: string, rooms: string[] = ['*']): Promise<Socket> => {
    const socket = await node.connect(userId, { claims: { rooms } });
    sockets.push(socket);
    return socket;
  };

  /** POSTs `body` (or `raw`) with `key` as the bearer token, or no Authorization header for `null`. */
  const publish = (node: TestApp, body: unknown, key: string | null = KEY, raw?: string) =>
    fetch(`${node.url}/realtime/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key !== null && { authorization: `Bearer ${key}` }) },
      body: raw ?? JSON.stringify(body),
    });

  it('delivers a worker’s push to every socket of a user on both nodes and to a chat room’s members on both, once each, and to nobody else', async () => {
    const aliceOn1 = await connect(node1, 'alice');
    const aliceOn2 = await connect(node2, 'alice');
    const carol = await connect(node2, 'carol');
    const dave = await connect(node1, 'dave');
    const eve = await connect(node2, 'eve');
    for (const member of [carol, dave]) expect(await request(member, 'chat:join', { roomId: 'ops' })).toMatchObject({ ok: true });
    const got = new Map(
      [aliceOn1, aliceOn2, carol, dave, eve].map((socket) => [
        socket,
        collect<{ type: string; data: { n: number } }>(socket, 'notification'),
      ]),
    );
    const lines = await runWorker(cluster.redis.url, [
      { to: { userId: 'alice' }, event: 'notification', data: notification('export.ready', 1) },
      { to: { roomId: 'ops' }, event: 'notification', data: notification('room.note', 2) },
      // Fences: each target's next push travels the same channel, so once it is in, a duplicate would be too.
      { to: { userIds: ['alice', 'eve'] }, event: 'notification', data: notification('fence', 3) },
      { to: { roomId: 'ops' }, event: 'notification', data: notification('fence', 4) },
    ]);
    expect(lines).toEqual(['ok', 'ok', 'ok', 'ok']);
    await Promise.all([aliceOn1, aliceOn2, eve].map((socket) => waitFor(() => got.get(socket)!.some((n) => n.data.n === 3))));
    await Promise.all([carol, dave].map((socket) => waitFor(() => got.get(socket)!.some((n) => n.data.n === 4))));
    for (const socket of [aliceOn1, aliceOn2]) expect(got.get(socket)!.map((n) => n.data.n)).toEqual([1, 3]);
    for (const socket of [carol, dave]) expect(got.get(socket)!.map((n) => n.data.n)).toEqual([2, 4]);
    expect(got.get(eve)!.map((n) => n.data.n)).toEqual([3]);
    const first = got.get(aliceOn1)![0] as unknown as { id: string; createdAt: string };
    expect(first.id).toMatch(UUID);
    // One notification, the same on each of the user's devices.
    expect(got.get(aliceOn2)![0]).toEqual(first);
  });

  it('refuses in the worker, before anything leaves it, an event no contract offers for publishing and a payload its schema refuses', async () => {
    const frank = await connect(node2, 'frank');
    const got = collect<{ data: { n: number } }>(frank, 'notification');
    const messages = collect(frank, 'chat:message');
    const lines = await runWorker(cluster.redis.url, [
      { to: { userId: 'frank' }, event: 'notification', data: { type: 'Not A Name', data: {} } },
      { to: { userId: 'frank' }, event: 'notification', data: { type: 'x.y', data: 'not an object' } },
      { to: { userId: 'frank' }, event: 'chat:message', data: { id: '1-0', roomId: 'ops', userId: 'x', text: 'fake', sentAt: 'now' } },
      { to: { userId: 'frank' }, event: 'todo:done', data: {} },
      { to: { userIds: [] }, event: 'notification', data: notification('x.y', 1) },
      { to: { userId: 'frank' }, event: 'notification', data: notification('fence', 9) },
    ]);
    expect(lines.slice(0, 5).every((line) => line.startsWith('refused PublishError'))).toBe(true);
    expect(lines[2]).toContain('"chat:message" is sent by its own module only');
    expect(lines[3]).toContain('"todo:done" is not a push of any contract');
    await waitFor(() => got.length === 1);
    expect(got.map((n) => n.data.n)).toEqual([9]);
    expect(messages).toEqual([]);
  });

  it('takes the same push over HTTP through node 1 to sockets on node 2', async () => {
    const grace = await connect(node2, 'grace');
    const arriving = nextEvent<{ id: string; type: string; data: unknown; createdAt: string }>(grace, 'notification');
    const response = await publish(node1, {
      to: { userId: 'grace' },
      event: 'notification',
      data: { type: 'payment.confirmed', data: { amount: 5 } },
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: true });
    const pushed = await arriving;
    expect(pushed).toEqual({
      id: expect.stringMatching(UUID),
      type: 'payment.confirmed',
      data: { amount: 5 },
      createdAt: expect.any(String),
    });
  });

  it('answers each refusal with its status and body, and delivers none of them', async () => {
    const heidi = await connect(node2, 'heidi');
    const got = collect(heidi, 'notification');
    const good = { to: { userId: 'heidi' }, event: 'notification', data: notification('x.y', 1) };
    const expectRefusal = async (response: Response, status: number, code: string, message?: string) => {
      expect(response.status).toBe(status);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      if (message) expect(body.error.message).toContain(message);
    };
    await expectRefusal(await publish(node1, good, null), 401, 'UNAUTHORIZED');
    await expectRefusal(await publish(node1, good, `${KEY}x`), 401, 'UNAUTHORIZED');
    await expectRefusal(await publish(node1, { ...good, event: 'todo:done' }), 400, 'BAD_REQUEST', 'is not a push of any contract');
    await expectRefusal(await publish(node1, { ...good, event: 'presence:update' }), 400, 'BAD_REQUEST', 'is sent by its own module only');
    await expectRefusal(await publish(node1, { ...good, data: { type: 'x.y' } }), 400, 'BAD_REQUEST', 'does not match its schema');
    await expectRefusal(await publish(node1, { ...good, to: { userIds: [] } }), 400, 'BAD_REQUEST');
    const many = Array.from({ length: 1001 }, (_, i) => `u${i}`);
    await expectRefusal(await publish(node1, { ...good, to: { userIds: many } }), 400, 'BAD_REQUEST');
    await expectRefusal(await publish(node1, { ...good, to: { everyone: true } }), 400, 'BAD_REQUEST');
    await expectRefusal(
      await publish(node1, { ...good, data: { type: 'x.y', data: { blob: 'x'.repeat(70_000) } } }),
      400,
      'BAD_REQUEST',
      'WS_MAX_PAYLOAD_BYTES',
    );
    // The same without a Content-Length (a chunked body).
    const chunked = await fetch(`${node1.url}/realtime/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: new Blob([JSON.stringify({ ...good, data: { type: 'x.y', data: { blob: 'x'.repeat(70_000) } } })]).stream(),
      duplex: 'half',
    } as RequestInit);
    await expectRefusal(chunked, 400, 'BAD_REQUEST', 'WS_MAX_PAYLOAD_BYTES');
    const broken = await publish(node1, undefined, KEY, '{"to":');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('not JSON') } });
    const huge = JSON.stringify({ ...good, data: { type: 'x.y', data: { blob: 'x'.repeat(200_000) } } });
    await expectRefusal(await publish(node1, undefined, KEY, huge), 400, 'BAD_REQUEST');
    await request(heidi, 'auth:refresh', { token: 'x' });
    // A fence through the same channel: nothing refused came before it.
    expect((await publish(node1, { ...good, data: notification('fence', 2) })).status).toBe(202);
    await waitFor(() => got.length === 1);
    expect(got).toMatchObject([{ data: { n: 2 } }]);
  });

  it('loses none of a burst of 1,000 publishes', async () => {
    const ivan = await connect(node2, 'ivan');
    const got = collect<{ data: { n: number } }>(ivan, 'notification');
    const responses = await Promise.all(
      Array.from({ length: 1000 }, (_, n) =>
        publish(n % 2 ? node1 : node2, { to: { userId: 'ivan' }, event: 'notification', data: notification('burst', n) }),
      ),
    );
    expect(responses.every((response) => response.status === 202)).toBe(true);
    await waitFor(() => got.length === 1000, 10000);
    expect(new Set(got.map((n) => n.data.n)).size).toBe(1000);
  });

  it('counts publishes by event and outcome in /metrics', async () => {
    const text = await (await fetch(`${node1.url}/metrics`)).text();
    expect(text).toMatch(/realtime_published_total\{event="notification",outcome="accepted"\} \d+/);
    expect(text).toMatch(/realtime_published_total\{event="unknown",outcome="UNAUTHORIZED"\} 2/);
  });
});

describe('the publish API without a key', () => {
  it('is off: 404', async () => {
    const cluster = await startCluster(1);
    try {
      const response = await fetch(`${cluster.nodes[0]!.url}/realtime/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ to: { userId: 'a' }, event: 'notification', data: { type: 'x.y', data: {} } }),
      });
      expect(response.status).toBe(404);
    } finally {
      await cluster.close();
    }
  });
});

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

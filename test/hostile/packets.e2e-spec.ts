import { ConnectionManager, SocketServerHost } from '../../src/core/websocket/internal.js';
import { startApp, type TestApp } from '../support/app.js';
import { MiB, mib, settledHeap } from '../support/memory.js';
import { closeAll, closedWithin, connectRaw, openRaw, type RawClient } from '../support/raw-client.js';

/**
 * Malformed Engine.IO / Socket.IO packets over a raw WebSocket. Each one ends
 * in a clear error or a closed connection; the process survives, the
 * bystander keeps being served, and nothing is left behind.
 */
describe('malformed Engine.IO / Socket.IO packets', () => {
  let t: TestApp;
  let bystander: RawClient;
  const clients: RawClient[] = [];

  const open = async () => {
    const client = await openRaw(t.url);
    clients.push(client);
    return client;
  };
  const connected = async (userId = 'mallory') => {
    const client = await connectRaw(t.url, { token: t.token(userId, { rooms: ['lobby'] }) });
    clients.push(client);
    return client;
  };
  const sockets = () => t.app.get(SocketServerHost).server.of('/').sockets.size;

  beforeAll(async () => {
    t = await startApp({ WS_MAX_PAYLOAD_BYTES: String(64 * 1024) });
    bystander = await connectRaw(t.url, { token: t.token('bystander', { rooms: ['lobby'] }) });
    expect((await bystander.request('chat:join', { roomId: 'lobby' })).ok).toBe(true);
  });

  afterEach(async () => {
    await closeAll(clients.splice(0));
    // The bystander is untouched by whatever the last case did.
    expect(bystander.isOpen).toBe(true);
    expect(await bystander.request('presence:query', { userIds: ['bystander'] })).toMatchObject({ ok: true });
  });

  afterAll(async () => {
    await closeAll([bystander]);
    await t.close();
  });

  const big = (n: number) => 'x'.repeat(n);
  const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

  // Before the Socket.IO handshake: only the Engine.IO session exists.
  it.each<[string, Array<string | Buffer>]>([
    ['an Engine.IO type digit that does not exist', ['9']],
    ['a letter as the Engine.IO type', ['x42["chat:join"]']],
    ['an empty frame', ['']],
    ['a ping from the client (heartbeats go the other way in v4)', ['2']],
    ['a Socket.IO type digit that does not exist', ['49']],
    ['a letter as the Socket.IO type', ['4x']],
    ['an empty Socket.IO packet', ['4']],
    ['an event before the Socket.IO handshake', ['42["chat:join",{"roomId":"lobby"}]']],
    ['an ack before the Socket.IO handshake', ['430[{"ok":true}]']],
    ['a CONNECT whose auth is a string', ['40"token"']],
    ['a CONNECT whose auth is an array', ['40["token"]']],
    ['a CONNECT whose auth is null', ['40null']],
    ['a CONNECT with broken JSON', ['40{"token":']],
    ['a CONNECT_ERROR from the client', ['44{"message":"x"}']],
    ['a huge attachment count', ['451000000-["chat:send",{"_placeholder":true,"num":0}]']],
    ['a negative attachment count', ['45-1-["chat:send"]']],
    ['an attachment count that is not a number', ['45abc-["chat:send"]']],
    ['a binary frame when no binary packet is pending', [Buffer.from([1, 2, 3])]],
    ['a base64 binary frame when none is pending', ['bAQID']],
  ])('closes the connection for %s', async (_case, frames) => {
    const client = await open();
    for (const frame of frames) client.send(frame);
    await closedWithin(client);
  });

  it('answers a CONNECT to a namespace that does not exist with a CONNECT_ERROR, and creates no socket', async () => {
    const client = await open();
    client.send('40/admin,{}');
    await new Promise<void>((resolve) => {
      const check = () => (client.frames.some((f) => f.startsWith('44/admin,')) ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(JSON.parse(client.frames.find((f) => f.startsWith('44/admin,'))!.slice('44/admin,'.length))).toEqual({
      message: 'Invalid namespace',
    });
    expect(sockets()).toBe(1);
  });

  // After the Socket.IO handshake: an authenticated socket misbehaves.
  it.each<[string, Array<string | Buffer>]>([
    ['an event packet that is not an array', ['42{"event":"chat:join"}']],
    ['an empty event array', ['42[]']],
    ['an event named like a reserved one (connect)', ['42["connect"]']],
    ['an event named like a reserved one (disconnect)', ['42["disconnect",{}]']],
    ['broken JSON in an event', ['42["chat:send",{"roomId":"lobby","text":"hi"']],
    ['a second CONNECT on the same connection', ['40{}']],
    ['a CONNECT_ERROR from the client', ['44{"message":"x"}']],
    [
      'a binary placeholder without its attachment, followed by text',
      ['451-["chat:send",{"_placeholder":true,"num":0}]', '42["chat:join",{"roomId":"lobby"}]'],
    ],
    ['a placeholder pointing past the attachments', ['451-["chat:send",{"_placeholder":true,"num":7}]', Buffer.from('x')]],
    ['a placeholder whose index is not a number', ['451-["chat:send",{"_placeholder":true,"num":"0"}]', Buffer.from('x')]],
    ['more attachments than the parser allows', ['4511-["chat:send"]']],
    ['a binary frame out of turn', [Buffer.from('not expected')]],
    ['a frame past the payload limit', [`42["chat:send",{"roomId":"lobby","text":"${big(70 * 1024)}"}]`]],
    ['a binary event 20,000 levels deep', ['451-["chat:send",' + deep(20_000) + ']', Buffer.from('x')]],
  ])('closes the connection of a connected socket for %s, and unregisters it', async (_case, frames) => {
    const client = await connected();
    for (const frame of frames) client.send(frame);
    await closedWithin(client);
    await until(async () => !(await t.app.get(ConnectionManager).isOnline('mallory')));
  });

  it('closes a text frame that is not valid UTF-8 (WebSocket close 1007)', async () => {
    const client = await connected();
    // A text frame whose bytes are not UTF-8: ws is asked to send the bytes as they are.
    client.ws.send(Buffer.from([0x34, 0x32, 0xff, 0xfe, 0x80]), { binary: false });
    expect((await closedWithin(client)).code).toBe(1007);
  });

  it.each<[string, string]>([
    ['a numeric event name', '42[7,{}]'],
    ['an event name that no module handles', '42["admin:drop",{"all":true}]'],
    ['an event named like a server event', '42["chat:message",{"roomId":"lobby","text":"spoof"}]'],
    ['an event with a very long name', `42["${'a'.repeat(60_000)}"]`],
    ['an event that names the default namespace explicitly', '42/,["nothing:here"]'],
  ])('answers %s with an exception event and keeps the connection', async (_case, frame) => {
    const client = await connected();
    const exception = client.next('exception');
    client.send(frame);
    expect(await exception).toMatchObject({ status: 'error', code: 'UNKNOWN_EVENT' });
    expect(client.isOpen).toBe(true);
  });

  it('answers an ack id far past any integer with one reply and keeps the connection', async () => {
    const client = await connected();
    client.send('4299999999999999999999["nothing:here"]');
    const reply = await client.request('presence:query', { userIds: ['x'] });
    expect(reply.ok).toBe(true);
    expect(client.isOpen).toBe(true);
  });

  it('ignores an ack for a request the server never made, and a client DISCONNECT unregisters the socket', async () => {
    const client = await connected();
    client.send('4312345[{"ok":true}]');
    expect((await client.request('presence:query', { userIds: ['x'] })).ok).toBe(true);
    client.send('41');
    await until(async () => !(await t.app.get(ConnectionManager).isOnline('mallory')));
  });

  it('refuses binary attachments at once (protocol v1 is JSON): nothing is held waiting for them', async () => {
    const before = await open();
    before.send('451-["chat:send",{"roomId":"lobby","text":{"_placeholder":true,"num":0}}]');
    await closedWithin(before);
    const after = await connected();
    after.send('451-["chat:send",{"roomId":"lobby","text":{"_placeholder":true,"num":0}}]');
    await closedWithin(after);
  });

  it('survives 50 rounds of malformed packets and deep bodies with the heap back within a few MB and no socket left', async () => {
    const frames = ['9', '4x', '42["chat:join"]', '40"x"', '451000000-[]', '40{"token":', deep(5000)];
    const rounds = 50;
    const round = async () => {
      const raw = await Promise.all(frames.map(() => openRaw(t.url)));
      raw.forEach((client, i) => client.send(frames[i]!));
      const deepSender = await connectRaw(t.url, { token: t.token('deep-sender') });
      const id = deepSender.ackId();
      const reply = await deepSender.requestRaw(id, `42${id}["chat:send",${deep(5000)}]`);
      expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      await Promise.all(raw.map((client) => closedWithin(client)));
      await closeAll([deepSender]);
    };
    await round();
    const before = await settledHeap();
    for (let i = 1; i < rounds; i++) await round();
    await until(() => sockets() === 1);
    const after = await settledHeap();
    console.log(`malformed packets: ${rounds * (frames.length + 1)} connections, heap ${mib(before)} -> ${mib(after)}`);
    expect(after - before).toBeLessThan(4 * MiB);
    await until(async () => (await t.app.get(ConnectionManager).countConnections()) === 1);
  });

  describe('over HTTP long-polling', () => {
    const base = () => `${t.url}/socket.io/?EIO=4&transport=polling`;

    it.each<[string, string]>([
      ['Engine.IO v3', `/socket.io/?EIO=3&transport=polling`],
      ['an unknown transport', `/socket.io/?EIO=4&transport=carrier-pigeon`],
      ['an unknown session id', `/socket.io/?EIO=4&transport=polling&sid=nope`],
    ])('refuses %s with HTTP 400', async (_case, path) => {
      expect((await fetch(`${t.url}${path}`)).status).toBe(400);
    });

    it('answers a POST body past the payload limit with 413, unread', async () => {
      const open = await (await fetch(base())).text();
      const { sid } = JSON.parse(open.slice(1)) as { sid: string };
      const response = await fetch(`${base()}&sid=${sid}`, { method: 'POST', body: `4${big(70 * 1024)}` });
      expect(response.status).toBe(413);
      // Only that request is refused; the session closes itself when no Socket.IO handshake follows.
      const close = await fetch(`${base()}&sid=${sid}`, { method: 'POST', body: '1' });
      expect(close.status).toBe(200);
    });
  });
});

async function until(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

import { ConnectionManager, SocketServerHost } from '../../src/core/websocket/internal.js';
import { signToken, startApp, type TestApp } from '../support/app.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { closeAll, connectRaw, openRaw, type RawClient } from '../support/raw-client.js';

const PROBES = 1000;

/** Room ids an attacker may try: outside the claim, near-misses, other kinds of room, separators and unicode tricks. */
const ROOM_GUESSES = [
  'secret',
  'SECRET',
  'Secret',
  'secret.',
  '.secret',
  'secret-',
  'secret_',
  'secret..',
  'secret.lobby',
  'lobby.secret',
  'user:victim',
  'user:insider-a',
  'presence:victim',
  'chat:secret',
  'chat:chat:secret',
  'victim',
  'insider-a',
  '../secret',
  'secret/..',
  'lobby/../secret',
  'secret%00',
  'secret\u0000',
  'secret\n',
  'secret ',
  ' secret',
  'secret#x',
  '\u0455ecret',
  'secr\u0435t',
  '\uff53\uff45\uff43\uff52\uff45\uff54',
  'secret\u200b',
  '\u200bsecret',
  'secre\u0301t',
  'secret\ud800',
  '*',
  '%2A',
  'lobby,secret',
  'lobby secret',
  'lobby\tsecret',
];

/**
 * Authorization probes against two nodes, with spy sockets on each: members
 * of a room the attacker may not use, and every device of the user the
 * attacker targets. 1,000 probes; not one message reaches a spy.
 */
describe('authorization probes across two nodes', () => {
  let cluster: TestCluster;
  const spies: RawClient[] = [];
  const attackers: RawClient[] = [];
  const seen: Array<{ spy: string; event: string; payload: unknown }> = [];

  beforeAll(async () => {
    cluster = await startCluster(2, { WS_RATE_LIMIT_PER_SEC: '10000', WS_RATE_LIMIT_BURST: '10000' });
    for (const [index, node] of cluster.nodes.entries()) {
      const name = index === 0 ? 'a' : 'b';
      const insider = await connectRaw(node.url, { token: signToken(`insider-${name}`, { rooms: ['secret', 'vault'] }) });
      expect((await insider.request('chat:join', { roomId: 'secret' })).ok).toBe(true);
      expect((await insider.request('chat:join', { roomId: 'vault' })).ok).toBe(true);
      const victim = await connectRaw(node.url, { token: signToken('victim', { rooms: ['secret'] }) });
      expect((await victim.request('chat:join', { roomId: 'secret' })).ok).toBe(true);
      for (const [spy, label] of [
        [insider, `insider-${name}`],
        [victim, `victim@${name}`],
      ] as const) {
        spies.push(spy.quiet());
        const record = (event: string) => (payload: unknown) => seen.push({ spy: label, event, payload });
        for (const event of [
          'chat:message',
          'chat:typing',
          'chat:left',
          'notification',
          'presence:update',
          'exception',
          'session:expired',
          'server:shutdown',
        ]) {
          spy.on(event, record(event));
        }
      }
      attackers.push((await connectRaw(node.url, { token: signToken('mallory', { rooms: ['lobby'] }) })).quiet());
    }
    for (const attacker of attackers) expect((await attacker.request('chat:join', { roomId: 'lobby' })).ok).toBe(true);
  });

  afterAll(async () => {
    await closeAll([...spies, ...attackers]);
    await cluster?.close();
  });

  /** The probes, round-robin over categories; each returns the codes it accepts. */
  function probe(i: number, attacker: RawClient, spyIds: string[]): Array<[Promise<any>, string[]]> {
    const guess = ROOM_GUESSES[i % ROOM_GUESSES.length]!;
    const sid = spyIds[i % spyIds.length]!;
    const denied = ['FORBIDDEN', 'BAD_REQUEST'];
    switch (i % 12) {
      case 0:
        return [[attacker.request('chat:join', { roomId: guess }), denied]];
      case 1:
        return [[attacker.request('chat:send', { roomId: guess, text: `probe ${i}` }), denied]];
      case 2:
        return [[attacker.request('chat:typing', { roomId: guess, typing: true }), denied]];
      case 3:
        return [[attacker.request('chat:history', { roomId: guess }), denied]];
      case 4:
        // A spy's socket id as a room id: a socket's own room must not be reachable.
        return [[attacker.request(i % 24 === 4 ? 'chat:join' : 'chat:send', { roomId: sid, text: `probe ${i}` }), denied]];
      case 5:
        return [[attacker.request('chat:leave', { roomId: guess }), ['OK', 'BAD_REQUEST']]];
      case 6: {
        const event = ['chat:message', 'notification', 'presence:update', 'session:ready', 'chat:left', 'server:shutdown'][i % 6]!;
        return [[attacker.request(event, { roomId: 'secret', userId: 'victim', text: `spoof ${i}`, to: 'secret' }), ['UNKNOWN_EVENT']]];
      }
      case 7:
        // A legitimate send that names the secret room in every field the server does not read.
        return [
          [
            attacker.request('chat:send', {
              roomId: 'lobby',
              text: `lobby ${i}`,
              to: 'secret',
              rooms: ['secret'],
              room: 'secret',
              userId: 'victim',
            }),
            ['OK'],
          ],
        ];
      case 8:
        return [
          [attacker.request('chat:send', { roomId: 'secret', text: `after a failed join ${i}`, clientMsgId: `c${i}` }), ['FORBIDDEN']],
        ];
      case 9:
        // The signature's last character changed for certain: one in 16 signatures already ends in 'A'.
        return [
          [
            attacker.request('auth:refresh', {
              token: signToken('mallory', { rooms: ['secret'] }).replace(/.$/, (c) => (c === 'A' ? 'E' : 'A')),
            }),
            ['UNAUTHORIZED'],
          ],
        ];
      case 10:
        return [[attacker.request('chat:history', { roomId: ['secret', 'vault'][i % 2], after: '0-0', limit: 100 }), ['FORBIDDEN']]];
      default:
        return [[attacker.request('chat:typing', { roomId: 'secret', typing: i % 2 === 0, userId: 'victim' }), ['FORBIDDEN']]];
    }
  }

  it(`sends ${PROBES} probes from both nodes; every one is refused or harmless, and no spy sees anything`, async () => {
    const spyIds = spies.map((spy) => spy.socketId!);
    const outcomes = new Map<string, number>();
    let i = 0;
    while (i < PROBES) {
      const batch: Array<[Promise<any>, string[]]> = [];
      for (let n = 0; n < 50 && i < PROBES; n++, i++) batch.push(...probe(i, attackers[i % 2]!, spyIds));
      const replies = await Promise.all(batch.map(([reply]) => reply));
      replies.forEach((reply, index) => {
        const outcome = reply.ok ? 'OK' : reply.error.code;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        expect(batch[index]![1]).toContain(outcome);
        // A refused history leaks nothing.
        if (!reply.ok) expect(reply.data).toBeUndefined();
      });
    }
    console.log(`authorization probes: ${PROBES} sent, outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(PROBES);

    // A round trip through every spy: whatever the probes caused has arrived by now.
    for (const spy of spies) await spy.request('presence:query', { userIds: ['x'] });
    expect(seen).toEqual([]);

    // The spies do see real traffic: an insider's message reaches the other node's insider and the victim.
    const [insiderA] = spies;
    await insiderA!.request('chat:send', { roomId: 'secret', text: 'control' });
    for (const spy of spies) await spy.request('presence:query', { userIds: ['x'] });
    expect(seen.map((s) => s.spy).sort()).toEqual(['insider-b', 'victim@a', 'victim@b']);
  });

  it('left the attacker in the lobby only, on both nodes', async () => {
    for (const node of cluster.nodes) {
      const sockets = node.app.get(SocketServerHost).server.of('/').sockets;
      const rooms = [...sockets.values()]
        .filter((s) => s.data.user.userId === 'mallory')
        .flatMap((s) => [...s.rooms].filter((r) => r !== s.id));
      expect(rooms.sort()).toEqual(['chat:lobby', 'user:mallory']);
    }
  });
});

/** With an allowlist, a handshake from a foreign Origin is refused; clients without Origin are not affected. */
describe('Origin allowlist', () => {
  let t: TestApp;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    t = await startApp({ WS_CORS_ORIGINS: 'https://app.example' });
  });
  afterEach(() => closeAll(clients.splice(0)));
  afterAll(() => t.close());

  const attempt = async (origin: string | undefined) => {
    const client = await openRaw(t.url, origin === undefined ? {} : { headers: { origin } });
    clients.push(client);
    return client.connect({ token: signToken('alice') }).then(
      () => 'accepted',
      (error: Error) => error.message,
    );
  };

  it.each([
    'https://evil.example',
    'https://APP.example',
    'https://app.example.evil.example',
    'https://app.example:8443',
    'http://app.example',
    'https://app.example/',
    'null',
    '',
  ])('refuses a WebSocket handshake from Origin %j with FORBIDDEN, leaving no socket', async (origin) => {
    expect(await attempt(origin)).toBe('FORBIDDEN');
    expect(t.app.get(SocketServerHost).server.of('/').sockets.size).toBe(0);
    expect(await t.app.get(ConnectionManager).countConnections()).toBe(0);
  });

  it('accepts the listed Origin and a client that sends none', async () => {
    expect(await attempt('https://app.example')).toBe('accepted');
    expect(await attempt(undefined)).toBe('accepted');
  });

  it('refuses a foreign Origin over long-polling too, and sends it no CORS grant', async () => {
    const base = `${t.url}/socket.io/?EIO=4&transport=polling`;
    const headers = { origin: 'https://evil.example' };
    const open = await fetch(base, { headers });
    expect(open.headers.get('access-control-allow-origin')).toBeNull();
    const { sid } = JSON.parse((await open.text()).slice(1)) as { sid: string };
    await fetch(`${base}&sid=${sid}`, { method: 'POST', headers, body: `40${JSON.stringify({ token: signToken('alice') })}` });
    const reply = await (await fetch(`${base}&sid=${sid}`, { headers })).text();
    expect(reply).toMatch(/^44\{"message":"FORBIDDEN"/);
    expect(await t.app.get(ConnectionManager).countConnections()).toBe(0);
  });
});

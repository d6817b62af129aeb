import { ConnectionManager } from '../../src/core/websocket/index.js';
import type { TestApp } from '../support/app.js';
import { closeAll, connectRaw, type RawClient } from '../support/raw-client.js';
import { EVENTS } from './events.js';
import { startAppWith } from './hostile-app.js';

const deepArrays = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const deepObjects = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

/**
 * Bodies of the wrong type, unknown and prototype-polluting fields, JSON
 * nested thousands of levels, strings at and past every bound, and invalid
 * UTF-16: each is answered with one envelope (never INTERNAL), the process
 * and every other socket carry on, and no deep object reaches a broadcast.
 */
describe('hostile event bodies', () => {
  let t: TestApp;
  let client: RawClient;
  let member: RawClient;
  const received: unknown[] = [];

  beforeAll(async () => {
    t = await startAppWith({}, { WS_RATE_LIMIT_PER_SEC: '100000', WS_RATE_LIMIT_BURST: '100000' });
    client = await connectRaw(t.url, { token: t.token('mallory', { rooms: ['lobby'] }) });
    member = await connectRaw(t.url, { token: t.token('member', { rooms: ['lobby'] }) });
    expect((await client.request('chat:join', { roomId: 'lobby' })).ok).toBe(true);
    expect((await member.request('chat:join', { roomId: 'lobby' })).ok).toBe(true);
    member.on('chat:message', (message) => received.push(message));
  });

  afterEach(async () => {
    // Whatever the case did, the member is still served and the sender still connected.
    expect(client.isOpen).toBe(true);
    expect((await member.request('presence:query', { userIds: ['member'] })).ok).toBe(true);
  });

  afterAll(async () => {
    await closeAll([client, member]);
    await t.close();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  const raw = (event: string, bodyJson: string) => {
    const id = client.ackId();
    return client.requestRaw(id, `42${id}[${JSON.stringify(event)},${bodyJson}]`);
  };

  describe.each(EVENTS.map(([event]) => event))('%s', (event) => {
    it.each<[string, string]>([
      ['null', 'null'],
      ['a number', '42'],
      ['a negative float', '-1.5e300'],
      ['a string', '"lobby"'],
      ['an empty string', '""'],
      ['an array', '["lobby"]'],
      ['an empty array', '[]'],
      ['a boolean', 'true'],
      ['an empty object', '{}'],
    ])('answers a body that is %s with BAD_REQUEST', async (_case, body) => {
      expect(await raw(event, body)).toEqual({
        ok: false,
        error: { code: 'BAD_REQUEST', message: expect.any(String), details: expect.any(Array) },
      });
    });

    it('answers a missing body with BAD_REQUEST', async () => {
      expect((await client.request(event)).error.code).toBe('BAD_REQUEST');
    });

    it.each<[string, string]>([
      ['arrays nested 5,000 levels', deepArrays(5000)],
      ['arrays nested 20,000 levels', deepArrays(20_000)],
      ['objects nested 5,000 levels', deepObjects(5000)],
      ['a field holding arrays nested 20,000 levels', `{"roomId":"lobby","text":${deepArrays(20_000)},"userIds":${deepArrays(10)}}`],
    ])('answers %s with BAD_REQUEST, before any handler', async (_case, body) => {
      const reply = await raw(event, body);
      expect(reply).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST', details: [{ message: expect.stringMatching(/nested deeper/) }] },
      });
    });

    it('refuses a __proto__ key, at the top or nested', async () => {
      for (const body of ['{"__proto__":{"rooms":["*"],"admin":true}}', '{"roomId":"lobby","x":{"__proto__":{"polluted":1}}}']) {
        expect((await raw(event, body)).error).toMatchObject({ code: 'BAD_REQUEST', details: [{ message: 'this key is not accepted' }] });
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });
  });

  describe('unknown and spoofing fields are dropped', () => {
    it('sends as the token says, whatever userId, id or sentAt the body claims', async () => {
      const got = member.next('chat:message');
      const reply = await client.request('chat:send', {
        roomId: 'lobby',
        text: 'who am i',
        userId: 'member',
        id: '1-1',
        sentAt: '1970-01-01T00:00:00.000Z',
        extra: { a: 1 },
      });
      expect(reply.ok).toBe(true);
      expect(reply.data).toEqual({
        id: expect.any(String),
        roomId: 'lobby',
        userId: 'mallory',
        text: 'who am i',
        sentAt: expect.any(String),
      });
      expect(await got).toEqual(reply.data);
    });

    it('sets only the caller’s status whatever userId the body names', async () => {
      const reply = await client.request('presence:set', { status: 'busy', userId: 'member' });
      expect(reply.data).toMatchObject({ userId: 'mallory', status: 'busy' });
      const [entry] = (await member.request('presence:query', { userIds: ['member'] })).data.presence;
      expect(entry.status).toBe('online');
    });

    it('ignores constructor and prototype fields without effect on any object', async () => {
      const reply = await raw(
        'chat:send',
        '{"roomId":"lobby","text":"proto","constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true}}',
      );
      expect(reply.ok).toBe(true);
      expect(Object.keys(reply.data)).not.toContain('constructor');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('strings at and past every bound', () => {
    const ok = async (event: string, body: unknown) => expect((await client.request(event, body)).ok).toBe(true);
    const bad = async (event: string, body: unknown, path: string) => {
      const reply = await client.request(event, body);
      expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(reply.error.details.map((d: { path: string }) => d.path)).toContain(path);
    };

    it('roomId: 64 characters of the alphabet, not 65, not one outside it', async () => {
      const room64 = 'r'.repeat(64);
      // The policy is asked only once the id is well-formed: 64 characters reach it (and it refuses), 65 do not.
      expect((await client.request('chat:join', { roomId: room64 })).error.code).toBe('FORBIDDEN');
      await bad('chat:join', { roomId: 'r'.repeat(65) }, 'roomId');
      for (const roomId of [
        '',
        'lob by',
        'lobby/../x',
        'chat:lobby',
        'lobby\u0000',
        'lobb\u0443',
        'ｌｏｂｂｙ',
        'lobby\u200b',
        'lobby\n',
      ]) {
        await bad('chat:join', { roomId }, 'roomId');
      }
    });

    it('text: 4000 UTF-16 units, astral characters counted twice, not 4001, not only white space', async () => {
      await ok('chat:send', { roomId: 'lobby', text: 'x'.repeat(4000) });
      await ok('chat:send', { roomId: 'lobby', text: '😀'.repeat(2000) });
      await bad('chat:send', { roomId: 'lobby', text: 'x'.repeat(4001) }, 'text');
      await bad('chat:send', { roomId: 'lobby', text: '' }, 'text');
      await bad('chat:send', { roomId: 'lobby', text: ' \n\t\u00a0\u3000' }, 'text');
    });

    // zod counts min/max in code points; the schemas count UTF-16 units, as the protocol says.
    it('text, clientMsgId and user ids: bounds in UTF-16 units, astral characters counting two', async () => {
      await bad('chat:send', { roomId: 'lobby', text: '😀'.repeat(2000) + 'x' }, 'text');
      await bad('chat:send', { roomId: 'lobby', text: 'a', clientMsgId: '😀'.repeat(32) + 'c' }, 'clientMsgId');
      await ok('chat:send', { roomId: 'lobby', text: 'a', clientMsgId: '😀'.repeat(32) });
      await bad('presence:query', { userIds: ['😀'.repeat(64) + 'u'] }, 'userIds.0');
    });

    it('clientMsgId: 1 to 64 characters', async () => {
      await ok('chat:send', { roomId: 'lobby', text: 'a', clientMsgId: 'c'.repeat(64) });
      await bad('chat:send', { roomId: 'lobby', text: 'a', clientMsgId: 'c'.repeat(65) }, 'clientMsgId');
      await bad('chat:send', { roomId: 'lobby', text: 'a', clientMsgId: '' }, 'clientMsgId');
    });

    it('userIds: 1 to 100 ids of 1 to 128 characters', async () => {
      await ok('presence:query', { userIds: Array.from({ length: 100 }, (_, i) => `u${i}`) });
      await bad('presence:query', { userIds: Array.from({ length: 101 }, (_, i) => `u${i}`) }, 'userIds');
      await bad('presence:query', { userIds: [] }, 'userIds');
      await ok('presence:query', { userIds: ['u'.repeat(128)] });
      await bad('presence:query', { userIds: ['u'.repeat(129)] }, 'userIds.0');
      await bad('presence:query', { userIds: [''] }, 'userIds.0');
    });

    it('history: limit 1 to 100, cursors only as the server writes them', async () => {
      await ok('chat:history', { roomId: 'lobby', limit: 1 });
      await ok('chat:history', { roomId: 'lobby', limit: 100 });
      await bad('chat:history', { roomId: 'lobby', limit: 0 }, 'limit');
      await bad('chat:history', { roomId: 'lobby', limit: 101 }, 'limit');
      await bad('chat:history', { roomId: 'lobby', limit: 1.5 }, 'limit');
      await ok('chat:history', { roomId: 'lobby', before: `${'9'.repeat(20)}-${'9'.repeat(20)}` });
      await bad('chat:history', { roomId: 'lobby', before: `${'9'.repeat(21)}-0` }, 'before');
      await bad('chat:history', { roomId: 'lobby', after: '01-0' }, 'after');
    });

    it('auth:refresh token: refused by size before any verification', async () => {
      // 8 KiB is the token limit; up to 16 KiB reaches the verifier and is refused there, past it the schema refuses.
      expect((await client.request('auth:refresh', { token: 't'.repeat(16_384) })).error.code).toBe('UNAUTHORIZED');
      await bad('auth:refresh', { token: 't'.repeat(16_385) }, 'token');
    });

    it('presence:set: only the three statuses', async () => {
      for (const status of ['offline', 'ONLINE', 'online ', 'invisible']) await bad('presence:set', { status }, 'status');
    });
  });

  describe('invalid UTF-16', () => {
    it('stores and delivers lone and reversed surrogates in a text as they were sent, as valid JSON', async () => {
      const text = 'a\ud800b\udc00\udbff\ud800c';
      const got = member.next('chat:message');
      const reply = await client.request('chat:send', { roomId: 'lobby', text });
      expect(reply.data.text).toBe(text);
      expect((await got).text).toBe(text);
    });

    it('refuses surrogates in identifiers', async () => {
      expect((await client.request('chat:join', { roomId: 'lobby\ud800' })).error.code).toBe('BAD_REQUEST');
    });

    it('a mention next to a lone surrogate still notifies the right user', async () => {
      const note = member.next('notification');
      await client.request('chat:send', { roomId: 'lobby', text: '\ud800@member\udc00' });
      expect((await note).data).toMatchObject({ from: 'mallory', roomId: 'lobby' });
    });
  });

  it('never put a deep object on the wire: every chat:message the member got is flat', async () => {
    expect(received.length).toBeGreaterThan(0);
    for (const message of received) expect(Object.values(message as object).every((v) => typeof v !== 'object')).toBe(true);
    expect(await t.app.get(ConnectionManager).countConnections()).toBe(2);
  });
});

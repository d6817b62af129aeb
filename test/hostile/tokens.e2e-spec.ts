import { createHmac, generateKeyPairSync, sign as signWith, constants, type KeyObject } from 'node:crypto';
import { ConnectionManager, SocketServerHost } from '../../src/core/websocket/internal.js';
import { SECRET, startApp, type TestApp } from '../support/app.js';
import { closeAll, connectRaw, openRaw, type RawClient, type RawOptions } from '../support/raw-client.js';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'victim', exp: now() + 3600, rooms: ['*'], ...extra });

/** Tokens built by hand with node:crypto, so no library decides what may be signed. */
function hs(payload: unknown, secret: string | Buffer = SECRET, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const bits = ({ HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as Record<string, string>)[String(header.alg)] ?? 'sha256';
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(bits, secret).update(input).digest('base64url')}`;
}

function asym(payload: unknown, key: KeyObject, alg: 'RS256' | 'RS512' | 'PS256' | 'ES256', header: Record<string, unknown> = {}): string {
  const input = `${b64({ alg, typ: 'JWT', ...header })}.${b64(payload)}`;
  const hash = alg.endsWith('512') ? 'sha512' : 'sha256';
  const options =
    alg === 'PS256'
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : alg === 'ES256'
        ? { key, dsaEncoding: 'ieee-p1363' as const }
        : key;
  return `${input}.${signWith(hash, Buffer.from(input), options).toString('base64url')}`;
}

/** EdDSA (RFC 8037), signed with node:crypto: jsonwebtoken cannot make one. */
function eddsa(payload: unknown, key: KeyObject, header: Record<string, unknown> = {}): string {
  const input = `${b64({ alg: 'EdDSA', typ: 'JWT', ...header })}.${b64(payload)}`;
  return `${input}.${signWith(null, Buffer.from(input), key).toString('base64url')}`;
}

const unsigned = (alg: string, payload = claims()) => `${b64({ alg, typ: 'JWT' })}.${b64(payload)}.`;

type Case = [
  name: string,
  how: { auth?: Record<string, unknown>; headers?: Record<string, string>; query?: Record<string, string> },
  code: string,
];

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attackerRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ed = generateKeyPairSync('ed25519');
const attackerEd = generateKeyPairSync('ed25519');
const edPem = ed.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/**
 * A matrix of bad tokens against four configurations (HS256; HS256 with
 * issuer and audience; RS256 with a public key; EdDSA with an Ed25519 key). None connects, and none
 * leaves a trace: no registry entry, no presence change seen by a
 * subscriber, no room joined.
 */
describe('token matrix: zero accepted, zero leaked', () => {
  const apps: TestApp[] = [];
  const clients: RawClient[] = [];
  let refused = 0;

  afterAll(async () => {
    await closeAll(clients.splice(0));
    await Promise.all(apps.map((app) => app.close()));
    // The matrix has at least 30 cases, and every one was refused.
    expect(refused).toBeGreaterThanOrEqual(30);
  });

  /** Starts an app with a watcher subscribed to the victim's presence. */
  async function arena(env: Record<string, string>, watcherToken: string) {
    const t = await startApp(env);
    apps.push(t);
    const watcher = await connectRaw(t.url, { token: watcherToken });
    clients.push(watcher);
    const updates: unknown[] = [];
    watcher.on('presence:update', (entry) => updates.push(entry));
    expect((await watcher.request('presence:subscribe', { userIds: ['victim'] })).data.presence[0]).toMatchObject({ status: 'offline' });
    return { t, watcher, updates };
  }

  async function expectRefusedWithoutTrace(arenaOf: Awaited<ReturnType<typeof arena>>, how: Case[1], code: string): Promise<void> {
    const { t, watcher, updates } = arenaOf;
    const options: RawOptions = { headers: how.headers, query: how.query };
    const client = await openRaw(t.url, options);
    clients.push(client);
    const error = await client.connect(how.auth ?? {}).then(
      () => new Error('ACCEPTED'),
      (e: Error & { data?: { code: string } }) => e,
    );
    expect(error.message).toBe(code);
    expect((error as { data?: { code: string } }).data?.code).toBe(code);
    refused++;
    client.terminate();
    // No trace: no registry entry, no socket, no room, no presence change.
    const connections = t.app.get(ConnectionManager);
    expect(await connections.isOnline('victim')).toBe(false);
    expect(await connections.countConnections()).toBe(1);
    const nsp = t.app.get(SocketServerHost).server.of('/');
    expect(nsp.sockets.size).toBe(1);
    expect([...nsp.adapter.rooms.keys()].filter((room) => room.startsWith('user:victim') || room.startsWith('chat:'))).toEqual([]);
    // A round trip on the watcher: anything the refusal caused would have arrived before its reply.
    await watcher.request('presence:query', { userIds: ['victim'] });
    expect(updates).toEqual([]);
  }

  describe('HS256 (the default)', () => {
    let a: Awaited<ReturnType<typeof arena>>;
    beforeAll(async () => {
      a = await arena({}, hs(claims({ sub: 'watcher' })));
    });

    const valid = () => hs(claims());
    const [header, payload, signature] = hs(claims()).split('.');
    const cases: Case[] = [
      ['no token at all', {}, 'UNAUTHORIZED'],
      ['an empty token', { auth: { token: '' } }, 'UNAUTHORIZED'],
      ['a number as the token', { auth: { token: 12345 } }, 'UNAUTHORIZED'],
      ['an object as the token', { auth: { token: { sub: 'victim' } } }, 'UNAUTHORIZED'],
      ['a valid token wrapped in an array', { auth: { token: [valid()] } }, 'UNAUTHORIZED'],
      ['garbage', { auth: { token: 'not.a.jwt' } }, 'UNAUTHORIZED'],
      ['two segments', { auth: { token: `${header}.${payload}` } }, 'UNAUTHORIZED'],
      ['four segments', { auth: { token: `${valid()}.AAAA` } }, 'UNAUTHORIZED'],
      ['a payload that is not JSON, signed', { auth: { token: hs('garbage{') } }, 'UNAUTHORIZED'],
      ['a payload that is a JSON string, signed', { auth: { token: hs(JSON.stringify('victim')) } }, 'UNAUTHORIZED'],
      ['a bad signature (another secret)', { auth: { token: hs(claims(), 'another-secret-of-the-same-length-as-ours!') } }, 'UNAUTHORIZED'],
      ['a secret that is a prefix of ours', { auth: { token: hs(claims(), SECRET.slice(0, 16)) } }, 'UNAUTHORIZED'],
      [
        'a payload swapped under a valid signature',
        { auth: { token: `${header}.${b64(claims({ sub: 'admin' }))}.${signature}` } },
        'UNAUTHORIZED',
      ],
      ['the signature stripped', { auth: { token: `${header}.${payload}.` } }, 'UNAUTHORIZED'],
      ['alg none', { auth: { token: unsigned('none') } }, 'UNAUTHORIZED'],
      ['alg None', { auth: { token: unsigned('None') } }, 'UNAUTHORIZED'],
      ['alg NONE with a real signature kept', { auth: { token: unsigned('NONE') + signature } }, 'UNAUTHORIZED'],
      [
        'HS512 with our secret (algorithm not configured)',
        { auth: { token: hs(claims(), SECRET, { alg: 'HS512', typ: 'JWT' }) } },
        'UNAUTHORIZED',
      ],
      [
        'HS384 with our secret (algorithm not configured)',
        { auth: { token: hs(claims(), SECRET, { alg: 'HS384', typ: 'JWT' }) } },
        'UNAUTHORIZED',
      ],
      [
        'RS256 by an attacker key with its public key embedded (jwk)',
        { auth: { token: asym(claims(), attackerRsa.privateKey, 'RS256', { jwk: attackerRsa.publicKey.export({ format: 'jwk' }) }) } },
        'UNAUTHORIZED',
      ],
      [
        'a kid pointing at a file',
        { auth: { token: hs(claims(), '', { alg: 'HS256', typ: 'JWT', kid: '../../../../dev/null' }) } },
        'UNAUTHORIZED',
      ],
      ['expired a minute ago', { auth: { token: hs(claims({ exp: now() - 60 })) } }, 'TOKEN_EXPIRED'],
      ['expired just past the clock tolerance', { auth: { token: hs(claims({ exp: now() - 7 })) } }, 'TOKEN_EXPIRED'],
      ['not valid for another minute (nbf)', { auth: { token: hs(claims({ nbf: now() + 60 })) } }, 'UNAUTHORIZED'],
      ['no exp', { auth: { token: hs({ sub: 'victim', rooms: ['*'] }) } }, 'UNAUTHORIZED'],
      ['exp as a string', { auth: { token: hs(claims({ exp: String(now() + 3600) })) } }, 'UNAUTHORIZED'],
      ['exp null', { auth: { token: hs(claims({ exp: null })) } }, 'UNAUTHORIZED'],
      ['no sub', { auth: { token: hs({ exp: now() + 3600, rooms: ['*'] }) } }, 'UNAUTHORIZED'],
      ['an empty sub', { auth: { token: hs(claims({ sub: '' })) } }, 'UNAUTHORIZED'],
      ['a numeric sub', { auth: { token: hs(claims({ sub: 7 })) } }, 'UNAUTHORIZED'],
      ['a sub that is an array', { auth: { token: hs(claims({ sub: ['victim'] })) } }, 'UNAUTHORIZED'],
      ['a sub that is an object', { auth: { token: hs(claims({ sub: { id: 'victim' } })) } }, 'UNAUTHORIZED'],
      // UTF-8 has no form for it: in Redis it would read as `victim\ufffd`, the keys of another user.
      ['a sub with a lone surrogate', { auth: { token: hs(claims({ sub: 'victim\ud800' })) } }, 'UNAUTHORIZED'],
      ['an oversized token (over 8 KiB), validly signed', { auth: { token: hs(claims({ pad: 'x'.repeat(9000) })) } }, 'UNAUTHORIZED'],
      ['a valid token in the query string', { query: { token: valid() } }, 'UNAUTHORIZED'],
      ['a valid token with a trailing newline', { auth: { token: `${valid()}\n` } }, 'UNAUTHORIZED'],
      ['a Bearer header with garbage', { headers: { authorization: 'Bearer not.a.jwt' } }, 'UNAUTHORIZED'],
      ['a Bearer header with alg none', { headers: { authorization: `Bearer ${unsigned('none')}` } }, 'UNAUTHORIZED'],
      ['a Bearer header with a bad signature', { headers: { authorization: `Bearer ${hs(claims(), 'x'.repeat(40))}` } }, 'UNAUTHORIZED'],
      [
        'a Basic header with the secret',
        { headers: { authorization: `Basic ${Buffer.from(`victim:${SECRET}`).toString('base64')}` } },
        'UNAUTHORIZED',
      ],
    ];

    it.each(cases)('refuses %s, leaving no trace', async (_name, how, code) => {
      await expectRefusedWithoutTrace(a, how, code);
    });

    it('admits the valid token the cases were made from (the matrix tests the server, not the tokens)', async () => {
      const online = a.watcher.next('presence:update');
      const client = await connectRaw(a.t.url, { token: valid() });
      expect(await online).toMatchObject({ userId: 'victim', status: 'online' });
      client.terminate();
      await client.closed;
    });

    it('refuses auth:refresh with a token of another user and changes nothing', async () => {
      const alice = await connectRaw(a.t.url, { token: hs(claims({ sub: 'alice', rooms: ['lobby'] })) });
      clients.push(alice);
      const reply = await alice.request('auth:refresh', { token: hs(claims({ sub: 'bob', rooms: ['*'] })) });
      expect(reply).toEqual({ ok: false, error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
      refused++;
      // Still alice, still with alice's rooms only; bob was never counted.
      expect((await alice.request('chat:join', { roomId: 'secret' })).error.code).toBe('FORBIDDEN');
      expect((await alice.request('presence:set', { status: 'busy' })).data.userId).toBe('alice');
      expect(await a.t.app.get(ConnectionManager).isOnline('bob')).toBe(false);
    });
  });

  describe('HS256 with an issuer and an audience', () => {
    let a: Awaited<ReturnType<typeof arena>>;
    const iss = 'https://issuer.example';
    const aud = 'realtime';
    beforeAll(async () => {
      a = await arena({ JWT_ISSUER: iss, JWT_AUDIENCE: aud }, hs(claims({ sub: 'watcher', iss, aud })));
    });

    it.each<Case>([
      ['a wrong issuer', { auth: { token: hs(claims({ iss: 'https://evil.example', aud })) } }, 'UNAUTHORIZED'],
      ['no issuer', { auth: { token: hs(claims({ aud })) } }, 'UNAUTHORIZED'],
      ['the issuer in other letter case', { auth: { token: hs(claims({ iss: iss.toUpperCase(), aud })) } }, 'UNAUTHORIZED'],
      ['a wrong audience', { auth: { token: hs(claims({ iss, aud: 'other' })) } }, 'UNAUTHORIZED'],
      ['no audience', { auth: { token: hs(claims({ iss })) } }, 'UNAUTHORIZED'],
      ['an audience list without ours', { auth: { token: hs(claims({ iss, aud: ['other', 'realtime-admin'] })) } }, 'UNAUTHORIZED'],
    ])('refuses %s, leaving no trace', async (_name, how, code) => {
      await expectRefusedWithoutTrace(a, how, code);
    });
  });

  describe('RS256 with JWT_PUBLIC_KEY', () => {
    let a: Awaited<ReturnType<typeof arena>>;
    beforeAll(async () => {
      a = await arena(
        { JWT_SECRET: undefined as never, JWT_PUBLIC_KEY: publicPem },
        asym(claims({ sub: 'watcher' }), rsa.privateKey, 'RS256'),
      );
    });

    it.each<Case>([
      ['HS256 signed with the public key PEM as the secret (key confusion)', { auth: { token: hs(claims(), publicPem) } }, 'UNAUTHORIZED'],
      ['HS256 signed with the PEM without its final newline', { auth: { token: hs(claims(), publicPem.trimEnd()) } }, 'UNAUTHORIZED'],
      [
        'HS256 signed with the DER of the public key',
        { auth: { token: hs(claims(), rsa.publicKey.export({ type: 'spki', format: 'der' })) } },
        'UNAUTHORIZED',
      ],
      ['RS256 by another private key', { auth: { token: asym(claims(), attackerRsa.privateKey, 'RS256') } }, 'UNAUTHORIZED'],
      [
        'RS256 by another key, with that key embedded (jwk)',
        { auth: { token: asym(claims(), attackerRsa.privateKey, 'RS256', { jwk: attackerRsa.publicKey.export({ format: 'jwk' }) }) } },
        'UNAUTHORIZED',
      ],
      ['PS256 by the right key (algorithm not configured)', { auth: { token: asym(claims(), rsa.privateKey, 'PS256') } }, 'UNAUTHORIZED'],
      ['RS512 by the right key (algorithm not configured)', { auth: { token: asym(claims(), rsa.privateKey, 'RS512') } }, 'UNAUTHORIZED'],
      ['ES256 by an EC key', { auth: { token: asym(claims(), ec.privateKey, 'ES256') } }, 'UNAUTHORIZED'],
      ['alg none', { auth: { token: unsigned('none') } }, 'UNAUTHORIZED'],
      ['expired, by the right key', { auth: { token: asym(claims({ exp: now() - 60 }), rsa.privateKey, 'RS256') } }, 'TOKEN_EXPIRED'],
      ['no sub, by the right key', { auth: { token: asym({ exp: now() + 3600 }, rsa.privateKey, 'RS256') } }, 'UNAUTHORIZED'],
      ['no exp, by the right key', { auth: { token: asym({ sub: 'victim' }, rsa.privateKey, 'RS256') } }, 'UNAUTHORIZED'],
      [
        'the signature of another valid token spliced on',
        {
          auth: {
            token: `${asym(claims(), rsa.privateKey, 'RS256').split('.').slice(0, 2).join('.')}.${asym(claims({ sub: 'watcher' }), rsa.privateKey, 'RS256').split('.')[2]}`,
          },
        },
        'UNAUTHORIZED',
      ],
    ])('refuses %s, leaving no trace', async (_name, how, code) => {
      await expectRefusedWithoutTrace(a, how, code);
    });

    it('admits a token signed by the right key (the matrix tests the server, not the tokens)', async () => {
      const online = a.watcher.next('presence:update');
      const client = await connectRaw(a.t.url, { token: asym(claims(), rsa.privateKey, 'RS256') });
      expect(await online).toMatchObject({ userId: 'victim', status: 'online' });
      client.terminate();
      await client.closed;
    });
  });

  describe('EdDSA with an Ed25519 JWT_PUBLIC_KEY', () => {
    let a: Awaited<ReturnType<typeof arena>>;
    beforeAll(async () => {
      // JWT_ALGORITHMS left out: an Ed25519 key defaults to EdDSA.
      a = await arena({ JWT_SECRET: undefined as never, JWT_PUBLIC_KEY: edPem }, eddsa(claims({ sub: 'watcher' }), ed.privateKey));
    });

    it.each<Case>([
      ['HS256 signed with the public key PEM as the secret (key confusion)', { auth: { token: hs(claims(), edPem) } }, 'UNAUTHORIZED'],
      ['EdDSA by another key', { auth: { token: eddsa(claims(), attackerEd.privateKey) } }, 'UNAUTHORIZED'],
      [
        'EdDSA by another key, with that key embedded (jwk)',
        { auth: { token: eddsa(claims(), attackerEd.privateKey, { jwk: attackerEd.publicKey.export({ format: 'jwk' }) }) } },
        'UNAUTHORIZED',
      ],
      ['RS256 by an RSA key', { auth: { token: asym(claims(), rsa.privateKey, 'RS256') } }, 'UNAUTHORIZED'],
      ['alg none', { auth: { token: unsigned('none') } }, 'UNAUTHORIZED'],
      ['EdDSA with no signature', { auth: { token: unsigned('EdDSA') } }, 'UNAUTHORIZED'],
      ['expired, by the right key', { auth: { token: eddsa(claims({ exp: now() - 60 }), ed.privateKey) } }, 'TOKEN_EXPIRED'],
      ['not yet valid, by the right key', { auth: { token: eddsa(claims({ nbf: now() + 600 }), ed.privateKey) } }, 'UNAUTHORIZED'],
      ['no sub, by the right key', { auth: { token: eddsa({ exp: now() + 3600 }, ed.privateKey) } }, 'UNAUTHORIZED'],
      ['no exp, by the right key', { auth: { token: eddsa({ sub: 'victim' }, ed.privateKey) } }, 'UNAUTHORIZED'],
      [
        'the signature of another valid token spliced on',
        {
          auth: {
            token: `${eddsa(claims(), ed.privateKey).split('.').slice(0, 2).join('.')}.${eddsa(claims({ sub: 'watcher' }), ed.privateKey).split('.')[2]}`,
          },
        },
        'UNAUTHORIZED',
      ],
    ])('refuses %s, leaving no trace', async (_name, how, code) => {
      await expectRefusedWithoutTrace(a, how, code);
    });

    it('admits a token signed by the right key', async () => {
      const online = a.watcher.next('presence:update');
      const client = await connectRaw(a.t.url, { token: eddsa(claims(), ed.privateKey) });
      expect(await online).toMatchObject({ userId: 'victim', status: 'online' });
      client.terminate();
      await client.closed;
    });
  });
});

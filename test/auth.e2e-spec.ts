import { jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { ConnectionManager } from '../src/core/websocket/index.js';
import { SECRET, startApp, type TestApp } from './support/app.js';
import { disconnected, nextEvent, request } from './support/events.js';

const jwt = new JwtService();
const inOneHour = () => Math.floor(Date.now() / 1000) + 3600;
const sign = (payload: Record<string, unknown>, secret = SECRET) => jwt.sign(payload, { secret, algorithm: 'HS256' });
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('handshake authentication', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  describe('with the default configuration', () => {
    beforeEach(async () => {
      t = await startApp();
    });

    it('emits session:ready { userId, socketId, expiresAt }', async () => {
      const exp = inOneHour();
      const ready = await readyOf(t, sign({ sub: 'alice', exp }));
      expect(ready.payload).toEqual({ userId: 'alice', socketId: ready.socketId, expiresAt: new Date(exp * 1000).toISOString() });
    });

    it.each([
      ['no token', {}],
      ['an empty token', { token: '' }],
      ['a token that is not a string', { auth: { token: 42 } }],
      ['garbage', { token: 'not.a.jwt' }],
      ['a bad signature', { token: sign({ sub: 'alice', exp: inOneHour() }, 'another-secret-another-secret-another') }],
      ['alg none', { token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', exp: inOneHour() })}.` }],
      ['no exp', { token: sign({ sub: 'alice' }) }],
      ['no sub', { token: sign({ exp: inOneHour() }) }],
      ['an empty sub', { token: sign({ sub: '', exp: inOneHour() }) }],
      ['a numeric sub', { token: sign({ sub: 7, exp: inOneHour() }) }],
      ['a token not yet valid', { token: sign({ sub: 'alice', exp: inOneHour(), nbf: inOneHour() - 60 }) }],
      ['an oversized token', { token: sign({ sub: 'alice', exp: inOneHour(), pad: 'x'.repeat(10_000) }) }],
    ])('refuses %s with UNAUTHORIZED and creates no socket', async (_case, options) => {
      const error = await t.refuse(options as never);
      expect(error.message).toBe('UNAUTHORIZED');
      expect(error.data).toEqual({ code: 'UNAUTHORIZED', message: expect.any(String) });
      expect(await t.app.get(ConnectionManager).countConnections()).toBe(0);
    });

    it('refuses an expired token with TOKEN_EXPIRED', async () => {
      const error = await t.refuse({ token: sign({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 60 }) });
      expect(error.message).toBe('TOKEN_EXPIRED');
      expect(error.data?.code).toBe('TOKEN_EXPIRED');
    });

    it('accepts a token in an Authorization: Bearer header', async () => {
      // An empty `auth` leaves the header as the only token.
      const client = await t.connect({ token: '' }, { auth: {}, extraHeaders: { authorization: `Bearer ${t.token('bob')}` } });
      expect(client.connected).toBe(true);
    });

    it('refuses a token in the query string', async () => {
      const error = await t.refuse({ query: { token: t.token('alice') } });
      expect(error.message).toBe('UNAUTHORIZED');
    });

    it('has no handshake failure leave a registry entry', async () => {
      await t.refuse({ token: 'garbage' });
      await t.refuse({ token: sign({ sub: 'alice' }) });
      const connections = t.app.get(ConnectionManager);
      expect(await connections.isOnline('alice')).toBe(false);
      expect(await connections.countConnections()).toBe(0);
    });
  });

  describe('with issuer and audience configured', () => {
    beforeEach(async () => {
      t = await startApp({ JWT_ISSUER: 'https://issuer.example', JWT_AUDIENCE: 'realtime' });
    });

    it('accepts the right issuer and audience', async () => {
      const client = await t.connect('alice', { claims: { iss: 'https://issuer.example', aud: 'realtime' } });
      expect(client.connected).toBe(true);
    });

    it.each([
      ['a wrong issuer', { iss: 'https://evil.example', aud: 'realtime' }],
      ['a wrong audience', { iss: 'https://issuer.example', aud: 'other' }],
      ['no issuer', { aud: 'realtime' }],
    ])('refuses %s', async (_case, claims) => {
      const error = await t.refuse({ token: t.token('alice', claims) });
      expect(error.message).toBe('UNAUTHORIZED');
    });
  });

  it('accepts a query token only when WS_ALLOW_QUERY_TOKEN=true', async () => {
    t = await startApp({ WS_ALLOW_QUERY_TOKEN: 'true' });
    const client = await t.connect({ token: '' }, { auth: {}, query: { token: t.token('alice') } });
    expect(client.connected).toBe(true);
  });

  describe('origin allowlist', () => {
    beforeEach(async () => {
      t = await startApp({ WS_CORS_ORIGINS: 'https://app.example, https://admin.example' });
    });

    it('refuses a foreign Origin with FORBIDDEN', async () => {
      const error = await t.refuse({ token: t.token('alice'), extraHeaders: { origin: 'https://evil.example' } });
      expect(error.message).toBe('FORBIDDEN');
      expect(await t.app.get(ConnectionManager).countConnections()).toBe(0);
    });

    it('accepts a listed Origin and a client without Origin', async () => {
      await expect(t.connect('alice', { extraHeaders: { origin: 'https://admin.example' } })).resolves.toBeTruthy();
      await expect(t.connect('bob')).resolves.toBeTruthy();
    });
  });

  describe('per-user connection cap', () => {
    beforeEach(async () => {
      t = await startApp({ WS_MAX_CONNECTIONS_PER_USER: '2' });
    });

    it('refuses a third connection with TOO_MANY_CONNECTIONS and admits again after one closes', async () => {
      const first = await t.connect('alice');
      await t.connect('alice');
      const error = await t.refuse({ token: t.token('alice') });
      expect(error.message).toBe('TOO_MANY_CONNECTIONS');
      expect(error.data?.code).toBe('TOO_MANY_CONNECTIONS');
      await expect(t.connect('bob')).resolves.toBeTruthy();

      first.disconnect();
      await waitFor(async () => (await t.app.get(ConnectionManager).getSockets('alice')).length === 1);
      await expect(t.connect('alice')).resolves.toBeTruthy();
    });

    it('admits exactly the cap when handshakes race', async () => {
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => t.connect('alice')));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
      const refusals = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(refusals.map((r) => r.reason.message)).toEqual(Array(4).fill('TOO_MANY_CONNECTIONS'));
      expect(await t.app.get(ConnectionManager).countConnections()).toBe(2);
    });
  });
});

describe('session lifetime', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it('auth:refresh with a token of the same user moves the expiry', async () => {
    t = await startApp();
    const client = await t.connect({ token: sign({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 60 }) });
    const exp = inOneHour() + 600;
    const reply = await request(client, 'auth:refresh', { token: sign({ sub: 'alice', exp }) });
    expect(reply).toEqual({ ok: true, data: { expiresAt: new Date(exp * 1000).toISOString() } });
  });

  it.each([
    ['a token of another user', () => sign({ sub: 'mallory', exp: inOneHour() })],
    ['an invalid token', () => 'garbage'],
    ['an expired token', () => sign({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 60 })],
  ])('auth:refresh with %s is UNAUTHORIZED and changes nothing', async (_case, token) => {
    t = await startApp({ JWT_CLOCK_TOLERANCE_S: '0' });
    const client = await t.connect({ token: sign({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 2 }) });
    const reply = await request(client, 'auth:refresh', { token: token() });
    expect(reply).toEqual({ ok: false, error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    // The original expiry still holds.
    await expect(nextEvent(client, 'session:expired', 4000)).resolves.toBeTruthy();
  });

  it('emits session:expired { expiredAt } and disconnects when the token runs out', async () => {
    t = await startApp({ JWT_CLOCK_TOLERANCE_S: '0' });
    const exp = Math.ceil(Date.now() / 1000) + 1;
    const client = await t.connect({ token: sign({ sub: 'alice', exp }) });
    const closed = disconnected(client, 4000);
    expect(await nextEvent(client, 'session:expired', 4000)).toEqual({ expiredAt: new Date(exp * 1000).toISOString() });
    expect(await closed).toBe('io server disconnect');
    await waitFor(async () => !(await t.app.get(ConnectionManager).isOnline('alice')));
  });

  it('a refreshed socket outlives its first token', async () => {
    t = await startApp({ JWT_CLOCK_TOLERANCE_S: '0' });
    const client = await t.connect({ token: sign({ sub: 'alice', exp: Math.ceil(Date.now() / 1000) + 1 }) });
    const expired = jest.fn();
    client.on('session:expired', expired);
    await request(client, 'auth:refresh', { token: sign({ sub: 'alice', exp: inOneHour() }) });
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect(expired).not.toHaveBeenCalled();
    expect((await request(client, 'auth:refresh', { token: 'garbage' })).error.code).toBe('UNAUTHORIZED');
  });
});

async function readyOf(t: TestApp, token: string): Promise<{ payload: unknown; socketId: string }> {
  const { io } = await import('socket.io-client');
  const client = io(t.url, { transports: ['websocket'], auth: { token }, forceNew: true, reconnection: false });
  try {
    const payload = await nextEvent(client as never, 'session:ready');
    return { payload, socketId: client.id! };
  } finally {
    client.disconnect();
  }
}

async function waitFor(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

import { generateKeyPairSync, sign as signWith, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { RealtimeException } from '../../application/errors/realtime.exception.js';
import { defaultAlgorithmFor, websocketOptionsSchema, type ResolvedWebsocketOptions } from '../../websocket.options.js';
import { JwtTokenVerifier } from './jwt-token-verifier.js';

const SECRET = 'a secret of the right length for HS256, not a PEM';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

function verifier(auth: Record<string, unknown>): JwtTokenVerifier {
  const options = { ...websocketOptionsSchema.parse({ auth }), nodeId: 'test' } as ResolvedWebsocketOptions;
  return new JwtTokenVerifier(options);
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof RealtimeException ? error.code : `not a RealtimeException: ${(error as Error).message}`;
  }
  return undefined;
}

describe('JwtTokenVerifier', () => {
  describe('with an HMAC secret', () => {
    const tokens = verifier({ secret: SECRET, issuer: 'issuer-a' });
    const sign = (claims: object, key: string = SECRET, algorithm: jwt.Algorithm = 'HS256') => jwt.sign(claims, key, { algorithm });

    it('admits a token signed with the secret and reads its user and expiry', () => {
      const exp = inAnHour();
      const user = tokens.verify(sign({ sub: 'user-1', exp, iss: 'issuer-a', rooms: ['a'] }));
      expect(user.userId).toBe('user-1');
      expect(user.expiresAt).toBe(exp * 1000);
      expect(user.claims.rooms).toEqual(['a']);
    });

    it.each([
      ['another secret', () => sign({ sub: 'u', exp: inAnHour(), iss: 'issuer-a' }, 'another secret'), 'UNAUTHORIZED'],
      ['another issuer', () => sign({ sub: 'u', exp: inAnHour(), iss: 'issuer-b' }), 'UNAUTHORIZED'],
      ['an algorithm that is not configured', () => sign({ sub: 'u', exp: inAnHour(), iss: 'issuer-a' }, SECRET, 'HS512'), 'UNAUTHORIZED'],
      ['no expiry', () => sign({ sub: 'u', iss: 'issuer-a' }), 'UNAUTHORIZED'],
      ['no subject', () => sign({ exp: inAnHour(), iss: 'issuer-a' }), 'UNAUTHORIZED'],
      ['an empty subject', () => sign({ sub: '', exp: inAnHour(), iss: 'issuer-a' }), 'UNAUTHORIZED'],
      ['a subject with a lone surrogate', () => sign({ sub: 'u\udc00', exp: inAnHour(), iss: 'issuer-a' }), 'UNAUTHORIZED'],
      [
        'an expiry past the clock tolerance',
        () => sign({ sub: 'u', exp: Math.floor(Date.now() / 1000) - 60, iss: 'issuer-a' }),
        'TOKEN_EXPIRED',
      ],
      ['alg none', () => jwt.sign({ sub: 'u', exp: inAnHour(), iss: 'issuer-a' }, null as never, { algorithm: 'none' }), 'UNAUTHORIZED'],
    ])('refuses a token with %s', (_case, token, code) => {
      expect(codeOf(() => tokens.verify(token()))).toBe(code);
    });
  });

  describe('with a public key', () => {
    const tokens = verifier({ publicKey: publicPem, algorithms: ['RS256'] });

    it('admits a token signed with the private key', () => {
      const token = jwt.sign({ sub: 'user-2', exp: inAnHour() }, rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
        algorithm: 'RS256',
      });
      expect(tokens.verify(token).userId).toBe('user-2');
    });

    it('refuses an HS256 token signed with the public key as its secret (algorithm confusion)', () => {
      const forged = jwt.sign({ sub: 'user-2', exp: inAnHour() }, publicPem, { algorithm: 'HS256' });
      expect(codeOf(() => tokens.verify(forged))).toBe('UNAUTHORIZED');
    });
  });

  describe('with an Ed25519 key (EdDSA)', () => {
    const ed = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519');
    const edPem = ed.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const tokens = verifier({ publicKey: edPem, algorithms: ['EdDSA'], issuer: 'issuer-a', audience: 'realtime' });
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    /** An EdDSA JWT signed with node:crypto (jsonwebtoken cannot make one). */
    const sign = (claims: unknown, key: KeyObject = ed.privateKey, header: Record<string, unknown> = {}) => {
      const input = `${b64({ alg: 'EdDSA', typ: 'JWT', ...header })}.${b64(claims)}`;
      return `${input}.${signWith(null, Buffer.from(input), key).toString('base64url')}`;
    };
    const now = () => Math.floor(Date.now() / 1000);
    const good = (extra: Record<string, unknown> = {}) => ({ sub: 'user-3', exp: inAnHour(), iss: 'issuer-a', aud: 'realtime', ...extra });

    it('admits a token signed with the private key and reads its user and expiry', () => {
      const exp = inAnHour();
      const user = tokens.verify(sign(good({ exp, rooms: ['a'] })));
      expect(user).toMatchObject({ userId: 'user-3', expiresAt: exp * 1000, claims: { rooms: ['a'] } });
    });

    it('admits an audience list that holds ours, and times within the clock tolerance', () => {
      expect(tokens.verify(sign(good({ aud: ['other', 'realtime'] }))).userId).toBe('user-3');
      expect(tokens.verify(sign(good({ exp: now() - 2, nbf: now() + 2 }))).userId).toBe('user-3');
    });

    it('verifies Ed448 keys too', () => {
      const ed448 = generateKeyPairSync('ed448');
      const own = verifier({ publicKey: ed448.publicKey.export({ type: 'spki', format: 'pem' }).toString(), algorithms: ['EdDSA'] });
      expect(own.verify(sign({ sub: 'user-4', exp: inAnHour() }, ed448.privateKey)).userId).toBe('user-4');
      expect(codeOf(() => own.verify(sign({ sub: 'user-4', exp: inAnHour() })))).toBe('UNAUTHORIZED');
    });

    const valid = sign(good());
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    it.each([
      ['another key', () => sign(good(), other.privateKey), 'UNAUTHORIZED'],
      ['a payload changed after signing', () => `${header}.${b64(good({ sub: 'admin' }))}.${signature}`, 'UNAUTHORIZED'],
      ['another alg in the header', () => sign(good(), ed.privateKey, { alg: 'RS256' }), 'UNAUTHORIZED'],
      ['alg none', () => `${b64({ alg: 'none' })}.${payload}.`, 'UNAUTHORIZED'],
      ['a critical extension', () => sign(good(), ed.privateKey, { crit: ['b64'], b64: false }), 'UNAUTHORIZED'],
      ['an HS256 token signed with the public key', () => jwt.sign(good(), edPem, { algorithm: 'HS256' }), 'UNAUTHORIZED'],
      ['a fourth part', () => `${valid}.${signature}`, 'UNAUTHORIZED'],
      ['characters outside base64url', () => `${header}.${payload}.${signature}+`, 'UNAUTHORIZED'],
      ['a header that is not JSON', () => `${Buffer.from('{alg').toString('base64url')}.${payload}.${signature}`, 'UNAUTHORIZED'],
      ['claims that are an array', () => sign([good()]), 'UNAUTHORIZED'],
      ['an expiry past the clock tolerance', () => sign(good({ exp: now() - 60 })), 'TOKEN_EXPIRED'],
      ['an expiry past the tolerance and another key', () => sign(good({ exp: now() - 60 }), other.privateKey), 'UNAUTHORIZED'],
      ['an expiry that is not a number', () => sign(good({ exp: String(inAnHour()) })), 'UNAUTHORIZED'],
      ['no expiry', () => sign(good({ exp: undefined })), 'UNAUTHORIZED'],
      ['a not-before in the future', () => sign(good({ nbf: now() + 60 })), 'UNAUTHORIZED'],
      ['another issuer', () => sign(good({ iss: 'issuer-b' })), 'UNAUTHORIZED'],
      ['no audience', () => sign(good({ aud: undefined })), 'UNAUTHORIZED'],
      ['an audience list without ours', () => sign(good({ aud: ['other'] })), 'UNAUTHORIZED'],
      ['no subject', () => sign(good({ sub: undefined })), 'UNAUTHORIZED'],
    ])('refuses a token with %s', (_case, token, code) => {
      expect(codeOf(() => tokens.verify(token()))).toBe(code);
    });

    it('refuses, in the options, EdDSA with another key and an Ed25519 key with another algorithm', () => {
      expect(() => websocketOptionsSchema.parse({ auth: { publicKey: publicPem, algorithms: ['EdDSA'] } })).toThrow(
        'EdDSA goes with an Ed25519 or Ed448 public key',
      );
      expect(() => websocketOptionsSchema.parse({ auth: { publicKey: edPem, algorithms: ['EdDSA', 'ES256'] } })).toThrow(
        'EdDSA goes with an Ed25519 or Ed448 public key',
      );
      expect(() => websocketOptionsSchema.parse({ auth: { secret: SECRET, algorithms: ['EdDSA'] } })).toThrow(
        'HS* algorithms go with a secret',
      );
    });
  });

  it('verifies an EC key with the algorithm its curve signs with, by default', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(defaultAlgorithmFor(pem)).toBe('ES384');
    // No algorithms given: the options pick the key's own.
    const tokens = verifier({ publicKey: pem });
    const key = ec.privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect(tokens.verify(jwt.sign({ sub: 'user-5', exp: inAnHour() }, key, { algorithm: 'ES384' })).userId).toBe('user-5');
    expect(defaultAlgorithmFor('not a key')).toBeUndefined();
  });

  it('defaults, in the options, to HS256 with a secret and to the algorithm of a public key', () => {
    expect(websocketOptionsSchema.parse({ auth: { secret: SECRET } }).auth.algorithms).toEqual(['HS256']);
    expect(websocketOptionsSchema.parse({ auth: { publicKey: publicPem } }).auth.algorithms).toEqual(['RS256']);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(websocketOptionsSchema.parse({ auth: { publicKey: ed } }).auth.algorithms).toEqual(['EdDSA']);
    expect(websocketOptionsSchema.parse({ auth: { publicKey: ed, algorithms: ['EdDSA'] } }).auth.algorithms).toEqual(['EdDSA']);
  });

  it('refuses, in the options, a public key that is not one', () => {
    expect(() => websocketOptionsSchema.parse({ auth: { publicKey: 'not a key', algorithms: ['RS256'] } })).toThrow(
      'must be a public key in PEM',
    );
  });
});

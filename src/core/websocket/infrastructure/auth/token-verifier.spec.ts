import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { RealtimeException } from '../../domain/errors/realtime.exception.js';
import { websocketOptionsSchema, type ResolvedWebsocketOptions } from '../../websocket.options.js';
import { TokenVerifier } from './token-verifier.js';

const SECRET = 'a secret of the right length for HS256, not a PEM';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

function verifier(auth: Record<string, unknown>): TokenVerifier {
  const options = { ...websocketOptionsSchema.parse({ auth }), nodeId: 'test' } as ResolvedWebsocketOptions;
  return new TokenVerifier(options);
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof RealtimeException ? error.code : `not a RealtimeException: ${(error as Error).message}`;
  }
  return undefined;
}

describe('TokenVerifier', () => {
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
      ['an expiry past the clock tolerance', () => sign({ sub: 'u', exp: Math.floor(Date.now() / 1000) - 60, iss: 'issuer-a' }), 'TOKEN_EXPIRED'],
      ['alg none', () => jwt.sign({ sub: 'u', exp: inAnHour(), iss: 'issuer-a' }, null as never, { algorithm: 'none' }), 'UNAUTHORIZED'],
    ])('refuses a token with %s', (_case, token, code) => {
      expect(codeOf(() => tokens.verify(token()))).toBe(code);
    });
  });

  describe('with a public key', () => {
    const tokens = verifier({ publicKey: publicPem, algorithms: ['RS256'] });

    it('admits a token signed with the private key', () => {
      const token = jwt.sign({ sub: 'user-2', exp: inAnHour() }, rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { algorithm: 'RS256' });
      expect(tokens.verify(token).userId).toBe('user-2');
    });

    it('refuses an HS256 token signed with the public key as its secret (algorithm confusion)', () => {
      const forged = jwt.sign({ sub: 'user-2', exp: inAnHour() }, publicPem, { algorithm: 'HS256' });
      expect(codeOf(() => tokens.verify(forged))).toBe('UNAUTHORIZED');
    });
  });

  it('refuses, in the options, a public key that is not one', () => {
    expect(() => websocketOptionsSchema.parse({ auth: { publicKey: 'not a key', algorithms: ['RS256'] } })).toThrow('must be a public key in PEM');
  });
});

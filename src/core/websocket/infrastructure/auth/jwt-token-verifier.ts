import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createPublicKey, createSecretKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { RealtimeException } from '../../application/errors/realtime.exception.js';
import { TokenVerifier } from '../../application/ports/token-verifier.port.js';
import type { AuthenticatedUser } from '../../domain/interfaces/websocket-events.interface.js';
import { isWellFormedId } from '../../domain/utf16-string.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';

/**
 * Verifies a JWT with the configured key and algorithms only. Beyond what the
 * JWT library checks, `exp` is required and `sub` must be a non-empty string
 * of well-formed Unicode (a lone surrogate would share its Redis keys with
 * another id: see `isWellFormedId`).
 * Failures carry no detail of why: a client learns `UNAUTHORIZED` or
 * `TOKEN_EXPIRED`, nothing an attacker could use.
 *
 * The key is made into a `KeyObject` once, at start-up. Given a string,
 * jsonwebtoken makes one on every verify, and first tries to read an HMAC
 * secret as a PEM public key: a failed OpenSSL parse and an error with its
 * stack trace on every handshake.
 *
 * jsonwebtoken has no EdDSA. With an Ed25519 or Ed448 key (the options allow
 * EdDSA with such a key only, and such a key with nothing else) the token is
 * checked here instead, with node:crypto and the same rules: the signature
 * over the token's first two parts as sent, then `nbf`, `exp`, `aud` and
 * `iss` as jsonwebtoken checks them.
 */
@Injectable()
export class JwtTokenVerifier extends TokenVerifier {
  private readonly jwt: JwtService;
  /** The Edwards-curve key when the configured algorithm is EdDSA. */
  private readonly edwards?: KeyObject;

  constructor(@Inject(WEBSOCKET_OPTIONS) private readonly options: ResolvedWebsocketOptions) {
    super();
    const { auth } = options;
    const key = keyOf(auth);
    if (auth.algorithms.includes('EdDSA')) this.edwards = key;
    this.jwt = new JwtService({
      secret: key,
      verifyOptions: {
        // EdDSA is checked by verifyEdDsa, never by jsonwebtoken.
        algorithms: auth.algorithms.filter((alg) => alg !== 'EdDSA'),
        issuer: auth.issuer,
        audience: auth.audience,
        clockTolerance: auth.clockToleranceSec,
      },
    });
  }

  override verify(token: unknown): AuthenticatedUser {
    const { auth } = this.options;
    if (typeof token !== 'string' || token.length === 0) throw unauthorized('A token is required');
    if (Buffer.byteLength(token) > auth.maxTokenBytes) throw unauthorized('The token is too large');
    let claims: Record<string, unknown>;
    try {
      claims = this.edwards ? this.verifyEdDsa(token, this.edwards) : this.jwt.verify<Record<string, unknown>>(token);
    } catch (error) {
      if ((error as Error).name === 'TokenExpiredError') {
        throw new RealtimeException('TOKEN_EXPIRED', 'The token has expired');
      }
      throw unauthorized('The token is not valid');
    }
    const { sub, exp } = claims;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) throw unauthorized('The token has no expiry');
    if (!isWellFormedId(sub)) throw unauthorized('The token has no valid subject');
    return { userId: sub, claims, expiresAt: exp * 1000 };
  }

  /** EdDSA (RFC 8037) in JWS compact form; throws `TokenExpired` for an expiry past the tolerance, another error for anything else. */
  private verifyEdDsa(token: string, key: KeyObject): Record<string, unknown> {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) throw new Error('malformed');
    const [header, payload, signature] = parts as [string, string, string];
    const head = parseObject(header);
    // An extension this verifier does not know (`crit`) must not be ignored.
    if (head.alg !== 'EdDSA' || head.crit !== undefined) throw new Error('algorithm');
    if (!verifySignature(null, Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))) throw new Error('signature');
    const claims = parseObject(payload);
    const { auth } = this.options;
    const now = Math.floor(Date.now() / 1000);
    const { nbf, exp, aud, iss } = claims;
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + auth.clockToleranceSec)) throw new Error('not before');
    if (exp !== undefined && typeof exp !== 'number') throw new Error('expiry');
    if (typeof exp === 'number' && now >= exp + auth.clockToleranceSec) throw new TokenExpired();
    if (auth.audience !== undefined && !(Array.isArray(aud) ? aud : [aud]).includes(auth.audience)) throw new Error('audience');
    if (auth.issuer !== undefined && iss !== auth.issuer) throw new Error('issuer');
    return claims;
  }

  /** The instant after which a session with this user is over: `exp` plus the clock tolerance the handshake allowed. */
  override deadlineOf(user: AuthenticatedUser): number {
    return user.expiresAt + this.options.auth.clockToleranceSec * 1000;
  }
}

/** The configured secret (its UTF-8 bytes, as jsonwebtoken takes a string) or public key (checked by the options schema), parsed once. */
function keyOf(auth: ResolvedWebsocketOptions['auth']): KeyObject {
  return auth.secret ? createSecretKey(Buffer.from(auth.secret, 'utf8')) : createPublicKey(auth.publicKey!);
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** jsonwebtoken's name for an expired token, which `verify` turns into `TOKEN_EXPIRED`. */
class TokenExpired extends Error {
  override readonly name = 'TokenExpiredError';
}

/** A JWT part that must be a JSON object. */
function parseObject(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return value as Record<string, unknown>;
}

function unauthorized(message: string): RealtimeException {
  return new RealtimeException('UNAUTHORIZED', message);
}

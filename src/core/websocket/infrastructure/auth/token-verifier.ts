import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { RealtimeException } from '../../domain/errors/realtime.exception.js';
import type { AuthenticatedUser } from '../../domain/interfaces/websocket-events.interface.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';

/**
 * Verifies a JWT with the configured key and algorithms only. Beyond what the
 * JWT library checks, `exp` is required and `sub` must be a non-empty string.
 * Failures carry no detail of why: a client learns `UNAUTHORIZED` or
 * `TOKEN_EXPIRED`, nothing an attacker could use.
 *
 * The key is made into a `KeyObject` once, at start-up. Given a string,
 * jsonwebtoken makes one on every verify, and first tries to read an HMAC
 * secret as a PEM public key: a failed OpenSSL parse and an error with its
 * stack trace, about half the CPU of a handshake.
 */
@Injectable()
export class TokenVerifier {
  private readonly jwt: JwtService;

  constructor(@Inject(WEBSOCKET_OPTIONS) private readonly options: ResolvedWebsocketOptions) {
    const { auth } = options;
    this.jwt = new JwtService({
      secret: keyOf(auth),
      verifyOptions: { algorithms: auth.algorithms, issuer: auth.issuer, audience: auth.audience, clockTolerance: auth.clockToleranceSec },
    });
  }

  verify(token: unknown): AuthenticatedUser {
    const { auth } = this.options;
    if (typeof token !== 'string' || token.length === 0) throw unauthorized('A token is required');
    if (Buffer.byteLength(token) > auth.maxTokenBytes) throw unauthorized('The token is too large');
    let claims: Record<string, unknown>;
    try {
      claims = this.jwt.verify<Record<string, unknown>>(token);
    } catch (error) {
      if ((error as Error).name === 'TokenExpiredError') {
        throw new RealtimeException('TOKEN_EXPIRED', 'The token has expired');
      }
      throw unauthorized('The token is not valid');
    }
    const { sub, exp } = claims;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) throw unauthorized('The token has no expiry');
    if (typeof sub !== 'string' || sub.length === 0) throw unauthorized('The token has no subject');
    return { userId: sub, claims, expiresAt: exp * 1000 };
  }

  /** The instant after which a session with this user is over: `exp` plus the clock tolerance the handshake allowed. */
  deadlineOf(user: AuthenticatedUser): number {
    return user.expiresAt + this.options.auth.clockToleranceSec * 1000;
  }
}

/** The configured secret (its UTF-8 bytes, as jsonwebtoken takes a string) or public key (checked by the options schema), parsed once. */
function keyOf(auth: ResolvedWebsocketOptions['auth']): KeyObject {
  return auth.secret ? createSecretKey(Buffer.from(auth.secret, 'utf8')) : createPublicKey(auth.publicKey!);
}

function unauthorized(message: string): RealtimeException {
  return new RealtimeException('UNAUTHORIZED', message);
}

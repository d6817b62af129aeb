import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { RealtimeException } from '../../domain/errors/realtime.exception.js';
import type { AuthenticatedUser } from '../../domain/interfaces/websocket-events.interface.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';

/**
 * Verifies a JWT with the configured key and algorithms only. Beyond what the
 * JWT library checks, `exp` is required and `sub` must be a non-empty string.
 * Failures carry no detail of why: a client learns `UNAUTHORIZED` or
 * `TOKEN_EXPIRED`, nothing an attacker could use.
 */
@Injectable()
export class TokenVerifier {
  private readonly jwt = new JwtService();

  constructor(@Inject(WEBSOCKET_OPTIONS) private readonly options: ResolvedWebsocketOptions) {}

  verify(token: unknown): AuthenticatedUser {
    const { auth } = this.options;
    if (typeof token !== 'string' || token.length === 0) throw unauthorized('A token is required');
    if (Buffer.byteLength(token) > auth.maxTokenBytes) throw unauthorized('The token is too large');
    let claims: Record<string, unknown>;
    try {
      claims = this.jwt.verify<Record<string, unknown>>(token, {
        secret: auth.secret,
        publicKey: auth.publicKey,
        algorithms: auth.algorithms,
        issuer: auth.issuer,
        audience: auth.audience,
        clockTolerance: auth.clockToleranceSec,
      });
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

function unauthorized(message: string): RealtimeException {
  return new RealtimeException('UNAUTHORIZED', message);
}

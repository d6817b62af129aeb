import type { AuthenticatedUser } from '../../domain/interfaces/websocket-events.interface.js';

/**
 * Turns a client's token into the socket's user, for the handshake and for
 * `auth:refresh`, and says until when that user's session lasts. The module
 * binds the JWT implementation (`JwtTokenVerifier`).
 */
export abstract class TokenVerifier {
  /** The token's user; throws a `RealtimeException` (`UNAUTHORIZED` or `TOKEN_EXPIRED`) that tells a client nothing more. */
  abstract verify(token: unknown): AuthenticatedUser;
  /** The instant (epoch ms) after which a session with this user is over. Read on a routed event until the session is armed. */
  abstract deadlineOf(user: AuthenticatedUser): number;
}

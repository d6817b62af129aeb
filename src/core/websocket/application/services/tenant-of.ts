import { RealtimeException } from '../errors/realtime.exception.js';
import type { AuthenticatedUser } from '../../domain/interfaces/websocket-events.interface.js';
import { isTenant } from '../../domain/tenancy.js';

/**
 * The verified user with its tenant, read from `claim` when tenants are
 * configured: a token without a valid tenant is refused `UNAUTHORIZED`, at the
 * handshake and in `auth:refresh` alike. Without a claim, the user as it is.
 */
export function withTenant(user: AuthenticatedUser, claim: string | undefined): AuthenticatedUser {
  if (claim === undefined) return user;
  const tenant = user.claims[claim];
  if (!isTenant(tenant)) throw new RealtimeException('UNAUTHORIZED', 'The token names no valid tenant');
  return { ...user, tenant };
}

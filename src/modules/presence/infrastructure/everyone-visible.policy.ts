import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../../../core/websocket/index.js';
import { PresenceVisibilityPolicy } from '../ports/presence-visibility-policy.port.js';

/**
 * The default policy: every user may see everyone's presence. With tenants
 * (`JWT_TENANT_CLAIM`), everyone means everyone in the viewer's tenant: the
 * core scopes every presence key and room to the tenant, so a user of
 * another tenant is a different user, never seen from this one.
 */
@Injectable()
export class EveryoneVisiblePolicy extends PresenceVisibilityPolicy {
  canSee(_viewer: AuthenticatedUser, _userId: string): boolean {
    return true;
  }
}

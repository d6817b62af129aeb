import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from 'nest-realtime';
import { PresenceVisibilityPolicy } from 'nest-realtime/presence';

/** A viewer does not see the users its token's `blocked` claim lists: as an app would plug in its own rule. */
@Injectable()
export class BlockedUsersPolicy extends PresenceVisibilityPolicy {
  canSee(viewer: AuthenticatedUser, userId: string): boolean {
    const blocked = viewer.claims.blocked;
    return !(Array.isArray(blocked) && blocked.includes(userId));
  }
}

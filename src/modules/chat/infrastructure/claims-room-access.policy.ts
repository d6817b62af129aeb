import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../../../core/websocket/index.js';
import { RoomAccessPolicy } from '../ports/room-access-policy.port.js';

/** The claim value that allows every room. */
export const ALL_ROOMS = '*';

/**
 * The default policy: the token's `rooms` claim lists the room ids the user
 * may use, `"*"` allows every room, and no claim (or anything but an array)
 * allows none. Claims only change with the token, so a refresh is where a
 * revoked room takes effect.
 */
@Injectable()
export class ClaimsRoomAccessPolicy extends RoomAccessPolicy {
  canAccess(user: AuthenticatedUser, roomId: string): boolean {
    const granted = user.claims.rooms;
    return Array.isArray(granted) && (granted.includes(ALL_ROOMS) || granted.includes(roomId));
  }
}

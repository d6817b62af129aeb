import type { AuthenticatedUser } from '../../../core/websocket/index.js';

/**
 * Decides who may use which chat room. Asked at `chat:join`, at every
 * `chat:send` and `chat:history`, and again for every joined room when the
 * socket's token is refreshed. The class is its own DI token: provide another
 * implementation with `ChatModule.forRoot({ accessPolicy })`.
 *
 * @example
 * @Injectable()
 * export class MembershipPolicy extends RoomAccessPolicy {
 *   constructor(private readonly members: MembershipRepository) { super(); }
 *   canAccess(user: AuthenticatedUser, roomId: string) { return this.members.has(roomId, user.userId); }
 * }
 */
export abstract class RoomAccessPolicy {
  /**
   * True when `user` may join, read and write `roomId`; anything but `true`
   * refuses. A throw or rejection fails that request with `INTERNAL`, and
   * counts as a refusal when rooms are re-checked after a refresh.
   */
  abstract canAccess(user: AuthenticatedUser, roomId: string): boolean | Promise<boolean>;
}

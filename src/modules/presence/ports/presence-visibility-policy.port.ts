import type { AuthenticatedUser } from '../../../core/websocket/index.js';

/**
 * Decides whose presence a user may see. Asked for every distinct user id of
 * each `presence:subscribe` and `presence:query`, all at once, and again for
 * every user the socket watches when its token is refreshed. A hidden user
 * reads as one never seen (`offline`, `lastSeenAt: null`), and a socket is
 * not put in a hidden user's presence room, so none of their changes reach
 * it. The class is its own DI token: provide another implementation with
 * `PresenceModule.forRoot({ visibilityPolicy })`.
 *
 * @example
 * @Injectable()
 * export class ContactsOnlyPolicy extends PresenceVisibilityPolicy {
 *   constructor(private readonly contacts: ContactsRepository) { super(); }
 *   canSee(viewer: AuthenticatedUser, userId: string) { return this.contacts.has(viewer.userId, userId); }
 * }
 */
export abstract class PresenceVisibilityPolicy {
  /**
   * True when `viewer` may see the presence of `userId`; anything but `true`
   * hides it. A throw or rejection fails that request with `INTERNAL`, and
   * counts as hidden when watched users are re-checked after a refresh.
   */
  abstract canSee(viewer: AuthenticatedUser, userId: string): boolean | Promise<boolean>;
}

/** What a user can be. `offline` is derived from the connection registry; the other three while connected. */
export const PRESENCE_STATUSES = ['online', 'away', 'busy', 'offline'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];

/** The statuses a connected user may choose with `presence:set`. */
export const SETTABLE_STATUSES = ['online', 'away', 'busy'] as const;
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];

/**
 * One user's presence, as clients receive it in replies and `presence:update`.
 *
 * `lastSeenAt` is the ISO-8601 time of the user's last status change: when
 * they came online, chose `away`/`busy`/`online`, or, for `offline`, when their
 * last socket left (not when the grace period ran out, which only delays the
 * announcement). A user this server has never seen is `offline` with
 * `lastSeenAt: null`.
 */
export interface PresenceEntry {
  userId: string;
  status: PresenceStatus;
  lastSeenAt: string | null;
}

import { z } from 'zod';
import { parseModuleOptions } from '../../core/websocket/internal.js';

/** Options of `PresenceModule.forRoot()` / `forRootAsync()`. */
export interface PresenceModuleOptions {
  /** How long a user with no socket left stays online, waiting for a reconnect. @default 5000 */
  offlineGraceMs?: number;
  /** How many users one socket may watch through `presence:subscribe`, all calls together. @default 1000 */
  maxWatchedPerSocket?: number;
  /**
   * How long a user's last-seen time is kept after they went offline; past
   * it they read as never seen. 0 keeps it for ever (memory grows with every
   * user ever seen). @default 2592000000 (30 days)
   */
  lastSeenTtlMs?: number;
}

export type ResolvedPresenceOptions = Required<PresenceModuleOptions>;

/** DI token of the validated options with their defaults applied. */
export const PRESENCE_OPTIONS = Symbol('PRESENCE_OPTIONS');

const DAY_MS = 24 * 60 * 60 * 1000;

/** setTimeout's longest delay: a longer grace would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const presenceOptionsSchema = z.object({
  offlineGraceMs: z.number().int().min(0).max(MAX_TIMER_MS).default(5000),
  maxWatchedPerSocket: z.number().int().positive().default(1000),
  lastSeenTtlMs: z
    .number()
    .int()
    .min(0)
    .default(30 * DAY_MS),
});

/** Validates the module's options once; a bad value stops start-up with the option's name in the message. */
export function resolvePresenceOptions(options: PresenceModuleOptions): ResolvedPresenceOptions {
  return parseModuleOptions('PresenceModule', presenceOptionsSchema, options);
}

import { z } from 'zod';
import { parseModuleOptions } from '../../core/websocket/index.js';

/** Options of `PresenceModule.forRoot()`. */
export interface PresenceModuleOptions {
  /** How long a user with no socket left stays online, waiting for a reconnect. @default 5000 */
  offlineGraceMs?: number;
  /** How many users one socket may watch through `presence:subscribe`, all calls together. @default 1000 */
  maxWatchedPerSocket?: number;
}

export type ResolvedPresenceOptions = Required<PresenceModuleOptions>;

/** DI token of the validated options with their defaults applied. */
export const PRESENCE_OPTIONS = Symbol('PRESENCE_OPTIONS');

/** setTimeout's longest delay: a longer grace would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const presenceOptionsSchema = z.object({
  offlineGraceMs: z.number().int().min(0).max(MAX_TIMER_MS).default(5000),
  maxWatchedPerSocket: z.number().int().positive().default(1000),
});

/** Validates the module's options once; a bad value stops start-up with the option's name in the message. */
export function resolvePresenceOptions(options: PresenceModuleOptions): ResolvedPresenceOptions {
  return parseModuleOptions('PresenceModule', presenceOptionsSchema, options);
}

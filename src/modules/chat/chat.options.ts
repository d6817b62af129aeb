import { z } from 'zod';

/** Options of `ChatModule.forRoot()` / `forRootAsync()`. */
export interface ChatModuleOptions {
  /** Messages kept per room, in memory or in Redis; the oldest are dropped first. @default 1000 */
  historyPerRoom?: number;
  /**
   * A room's history is deleted once nobody wrote to it for this many
   * milliseconds, each message renewing it (in Redis, the key's expiry; in
   * memory, a look at the longest-idle rooms on every write); 0 keeps every
   * room (within `historyPerRoom`) until Redis evicts it or the process ends.
   * @default 7776000000 (90 days)
   */
  historyIdleTtlMs?: number;
  /** Chat rooms one socket may be in at once; a further `chat:join` is `FORBIDDEN`. @default 100 */
  maxRoomsPerSocket?: number;
}

const positiveInt = z.number().int().positive();

export const chatOptionsSchema = z.object({
  historyPerRoom: positiveInt.default(1000),
  historyIdleTtlMs: z
    .number()
    .int()
    .min(0)
    .default(90 * 24 * 60 * 60 * 1000),
  maxRoomsPerSocket: positiveInt.default(100),
});

/** DI token of the validated options with their defaults applied. */
export const CHAT_OPTIONS = Symbol('CHAT_OPTIONS');

/** The options after defaults, as the module's services read them. */
export type ResolvedChatOptions = z.output<typeof chatOptionsSchema>;

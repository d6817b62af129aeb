import { z } from 'zod';

/** Options of `ChatModule.forRoot()` / `forRootAsync()`. */
export interface ChatModuleOptions {
  /** Messages kept per room, in memory or in Redis; the oldest are dropped first. @default 1000 */
  historyPerRoom?: number;
  /**
   * With Redis: a room's history is deleted once nobody wrote to it for this
   * many milliseconds, each message renewing the expiry; 0 keeps it (within
   * `historyPerRoom`) until Redis evicts it. The in-memory store ignores it:
   * its history ends with the process. @default 0
   */
  historyIdleTtlMs?: number;
  /** Chat rooms one socket may be in at once; a further `chat:join` is `FORBIDDEN`. @default 100 */
  maxRoomsPerSocket?: number;
}

const positiveInt = z.number().int().positive();

export const chatOptionsSchema = z.object({
  historyPerRoom: positiveInt.default(1000),
  historyIdleTtlMs: z.number().int().min(0).default(0),
  maxRoomsPerSocket: positiveInt.default(100),
});

/** The options after defaults, as the module's services read them. */
export type ResolvedChatOptions = z.output<typeof chatOptionsSchema>;

import { z } from 'zod';

/** Options of `ChatModule.forRoot()` / `forRootAsync()`. */
export interface ChatModuleOptions {
  /** Messages the in-memory store keeps per room; the oldest are dropped first. @default 1000 */
  historyPerRoom?: number;
  /** Chat rooms one socket may be in at once; a further `chat:join` is `FORBIDDEN`. @default 100 */
  maxRoomsPerSocket?: number;
}

const positiveInt = z.number().int().positive();

export const chatOptionsSchema = z.object({
  historyPerRoom: positiveInt.default(1000),
  maxRoomsPerSocket: positiveInt.default(100),
});

/** The options after defaults, as the module's services read them. */
export type ResolvedChatOptions = z.output<typeof chatOptionsSchema>;

import { z } from 'zod';
import { utf16String } from '../../../core/websocket/domain/utf16-string.js';
import { SETTABLE_STATUSES } from '../domain/presence-entry.js';

// Apart from the handlers (which need Nest, and import the contract) so the contract can
// use them without an import cycle and the client types derived from it stay Nest-free.

/** Most ids one request may name. */
export const MAX_USER_IDS_PER_REQUEST = 100;

const userId = utf16String(1, 128);

/** 1 to 100 user ids; repeats are dropped after the count is checked. */
export const userIdsSchema = z.object({
  userIds: z
    .array(userId)
    .min(1)
    .max(MAX_USER_IDS_PER_REQUEST)
    .transform((ids) => [...new Set(ids)]),
});
export type UserIdsBody = z.infer<typeof userIdsSchema>;

export const setStatusSchema = z.object({ status: z.enum(SETTABLE_STATUSES) });
export type SetStatusBody = z.infer<typeof setStatusSchema>;

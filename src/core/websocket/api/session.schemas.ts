import { z } from 'zod';

// Apart from the handlers (which need Nest) so the wire contract, and the client types derived from it, stay Nest-free.

/** The body of `auth:refresh`: the newer token of the same user. */
export const refreshSchema = z.object({ token: z.string().min(1).max(16384) });
export type RefreshBody = z.output<typeof refreshSchema>;

import { z } from 'zod';

/** The reactions a client may add: a short list keeps payloads and counts small. */
export const EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢'] as const;

export const reactionSchema = z.object({
  roomId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  messageId: z.string().min(1).max(41),
  emoji: z.enum(EMOJI),
});
export type ReactionBody = z.output<typeof reactionSchema>;

/** What `reactions:updated` carries, and what the requests answer. */
export const reactionCountSchema = z.object({
  roomId: z.string(),
  messageId: z.string(),
  emoji: z.enum(EMOJI),
  count: z.number().int().min(0),
  /** Who added or removed theirs. */
  userId: z.string(),
});
export type ReactionCount = z.output<typeof reactionCountSchema>;

import { z } from 'zod';
import { utf16String } from '../../../core/websocket/domain/utf16-string.js';
import { ROOM_ID } from '../application/chat-rooms.js';
import { isMessageId, MAX_MESSAGE_ID_LENGTH } from '../domain/message-id.js';

/** The longest `text`, in UTF-16 code units (JavaScript's `string.length`, so clients count alike). */
export const MAX_TEXT_LENGTH = 4000;
export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_HISTORY_LIMIT = 100;

// Plain objects, not strict ones: a newer client may send fields this server
// does not know yet, and they are dropped rather than refused.

export const roomIdSchema = z.string().regex(ROOM_ID, 'must be 1 to 64 characters of A-Z, a-z, 0-9, "_", "." and "-"');

const messageIdSchema = z
  .string()
  .max(MAX_MESSAGE_ID_LENGTH)
  .refine(isMessageId, 'must be a message id as the server gave it ("<ms>-<seq>")');

export const joinSchema = z.object({ roomId: roomIdSchema });
export type JoinBody = z.output<typeof joinSchema>;

export const leaveSchema = z.object({ roomId: roomIdSchema });
export type LeaveBody = z.output<typeof leaveSchema>;

export const sendSchema = z.object({
  roomId: roomIdSchema,
  // One issue per problem: an empty text is too short, not also "only white space".
  text: utf16String(1, MAX_TEXT_LENGTH).refine((text) => text.trim().length > 0, 'must not be only white space'),
  clientMsgId: utf16String(1, 64).optional(),
});
export type SendBody = z.output<typeof sendSchema>;

export const typingSchema = z.object({ roomId: roomIdSchema, typing: z.boolean() });
export type TypingBody = z.output<typeof typingSchema>;

export const historySchema = z
  .object({
    roomId: roomIdSchema,
    before: messageIdSchema.optional(),
    after: messageIdSchema.optional(),
    limit: z.number().int().min(1).max(MAX_HISTORY_LIMIT).default(DEFAULT_HISTORY_LIMIT),
  })
  .refine((body) => body.before === undefined || body.after === undefined, {
    message: 'give before or after, not both',
    path: ['after'],
  });
export type HistoryBody = z.output<typeof historySchema>;

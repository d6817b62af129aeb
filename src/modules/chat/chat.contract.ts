import { z } from 'zod';
import { defineContract } from '../../core/websocket/domain/contract.js';
import { historySchema, joinSchema, leaveSchema, roomIdSchema, sendSchema, typingSchema } from './api/chat.schemas.js';

/** A stored chat message, as replies and `chat:message` carry it. */
export const chatMessageSchema = z.object({
  id: z.string().describe('Opaque; increases in the order the server accepted the messages of the room'),
  roomId: z.string(),
  userId: z.string(),
  text: z.string(),
  clientMsgId: z.string().optional(),
  sentAt: z.iso.datetime(),
});

const roomReply = z.object({ roomId: z.string() });

/** The chat module's wire events. */
export const chatContract = defineContract({
  requests: {
    'chat:join': { summary: 'Join a room the access policy allows', body: joinSchema, reply: roomReply },
    'chat:leave': { summary: 'Leave a room', body: leaveSchema, reply: roomReply },
    'chat:send': {
      summary: 'Send a message to a joined room; idempotent per clientMsgId for 24 hours',
      body: sendSchema,
      reply: chatMessageSchema,
    },
    'chat:typing': { summary: "Tell the room's other sockets this user is (not) typing", body: typingSchema, reply: z.object({}) },
    'chat:history': {
      summary: 'Page back (before) or catch up (after) through a room’s messages, oldest first',
      body: historySchema,
      reply: z.object({ messages: z.array(chatMessageSchema), hasMore: z.boolean() }),
    },
  },
  pushes: {
    'chat:message': { summary: 'A message in a joined room, sent by another socket', payload: chatMessageSchema },
    'chat:typing': {
      summary: 'Someone in a joined room is (not) typing; may be dropped',
      payload: z.object({ roomId: roomIdSchema, userId: z.string(), typing: z.boolean() }),
    },
    'chat:left': {
      summary: 'This socket was taken out of a room it may no longer use',
      payload: z.object({ roomId: z.string(), reason: z.literal('forbidden') }),
    },
  },
});

import { z } from 'zod';
import { defineContract } from '../../core/websocket/index.js';

/** `data` of each kind of notification. */
export const mentionDataSchema = z.object({ roomId: z.string(), messageId: z.string(), from: z.string(), text: z.string() });

/** The notifications module's wire events. */
export const notificationsContract = defineContract({
  requests: {},
  pushes: {
    notification: {
      summary: 'Something for this user, on every one of their devices',
      payload: z.discriminatedUnion('type', [
        z.object({ id: z.uuid(), type: z.literal('mention'), data: mentionDataSchema, createdAt: z.iso.datetime() }),
      ]),
    },
  },
});

import { z } from 'zod';
import { defineContract } from '../../core/websocket/domain/contract.js';

/** `data` of each kind of notification. */
export const mentionDataSchema = z.object({ roomId: z.string(), messageId: z.string(), from: z.string(), text: z.string() });

/**
 * A kind a service names when it publishes a notification (`nest-realtime/publisher`,
 * `POST /realtime/publish`): a lower-case dotted name other than the module's own
 * kinds, and a JSON object.
 */
export const publishedNotificationSchema = z.object({
  id: z.uuid(),
  type: z
    .string()
    .max(64)
    .regex(/^[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*$/, 'must be a lower-case name such as export.ready')
    .refine((type) => type !== 'mention', 'mention is the chat module’s own kind'),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
});

/** The notifications module's wire events. */
export const notificationsContract = defineContract({
  requests: {},
  pushes: {
    notification: {
      summary: 'Something for this user, on every one of their devices',
      payload: z.union([
        z.object({ id: z.uuid(), type: z.literal('mention'), data: mentionDataSchema, createdAt: z.iso.datetime() }),
        publishedNotificationSchema,
      ]),
    },
  },
});

import { z } from 'zod';
import { defineContract } from '../../core/websocket/domain/contract.js';
import { setStatusSchema, userIdsSchema } from './api/presence.schemas.js';
import { PRESENCE_STATUSES } from './domain/presence-entry.js';

/** One user's presence. */
export const presenceEntrySchema = z.object({
  userId: z.string(),
  status: z.enum(PRESENCE_STATUSES),
  lastSeenAt: z.iso.datetime().nullable().describe("The user's last status change; null for a user never seen"),
});

const entries = z.object({ presence: z.array(presenceEntrySchema) });

/** The presence module's wire events. */
export const presenceContract = defineContract({
  requests: {
    'presence:subscribe': { summary: "Watch users' presence; replies with their entries", body: userIdsSchema, reply: entries },
    'presence:unsubscribe': { summary: 'Stop watching users', body: userIdsSchema, reply: z.object({}) },
    'presence:query': { summary: "Read users' presence without watching", body: userIdsSchema, reply: entries },
    'presence:set': { summary: "Set the caller's status on all their devices", body: setStatusSchema, reply: presenceEntrySchema },
  },
  pushes: {
    'presence:update': { summary: 'A watched user’s status changed', payload: presenceEntrySchema },
  },
});

import { z } from 'zod';
import { defineContract, errorBodySchema } from '../domain/contract.js';
import { refreshSchema } from './session.schemas.js';

const isoDate = z.iso.datetime();

/** The core's own wire events: the session and the transport. */
export const sessionContract = defineContract({
  requests: {
    'auth:refresh': {
      summary: "Replace the socket's token with a newer one of the same user; moves the expiry and re-checks chat rooms",
      body: refreshSchema,
      reply: z.object({ expiresAt: isoDate }),
    },
  },
  pushes: {
    'session:ready': {
      summary: 'The handshake was accepted',
      payload: z.object({ userId: z.string(), socketId: z.string(), expiresAt: isoDate }),
    },
    'session:expired': {
      summary: "The socket's token ran out; the socket is disconnected right after",
      payload: z.object({ expiredAt: isoDate }),
    },
    'server:shutdown': {
      summary: 'This node is draining: disconnect, and connect again (to another node) after reconnectAfterMs',
      payload: z.object({ reconnectAfterMs: z.number().int().min(0) }),
    },
    exception: {
      summary: 'A request sent without an ack failed',
      payload: z.object({ status: z.literal('error'), event: z.string(), code: errorBodySchema.shape.code, message: z.string() }),
    },
  },
});

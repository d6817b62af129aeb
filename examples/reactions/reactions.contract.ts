import { defineContract } from 'nest-realtime';
import { reactionCountSchema, reactionSchema } from './reactions.schemas.js';

/** What the reactions module says on the wire: types for clients and the AsyncAPI document come from here. */
export const reactionsContract = defineContract({
  requests: {
    'reactions:add': { summary: 'React to a message in a joined room', body: reactionSchema, reply: reactionCountSchema },
    'reactions:remove': { summary: 'Take a reaction back', body: reactionSchema, reply: reactionCountSchema },
  },
  pushes: {
    'reactions:updated': { summary: "A message's count for one emoji changed", payload: reactionCountSchema },
  },
});

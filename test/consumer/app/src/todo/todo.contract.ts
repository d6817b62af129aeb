import { z } from 'zod';
import { defineContract } from 'nest-realtime';
import { addTodoSchema, todoSchema } from './todo.schemas.js';

/** What the todo feature says on the wire: client types and the AsyncAPI document come from here. */
export const todoContract = defineContract({
  requests: {
    'todo:add': { summary: 'Add a todo', body: addTodoSchema, reply: todoSchema },
    'todo:devices': {
      summary: 'How many sockets the caller has open, on every node',
      body: z.object({}),
      reply: z.object({ sockets: z.number().int() }),
    },
    'todo:fail': { summary: 'Always refused: shows how a handler answers with an error', body: z.object({}), reply: z.object({}) },
  },
  pushes: {
    'todo:added': { summary: 'A todo was added, by any device of the user', payload: todoSchema },
  },
});

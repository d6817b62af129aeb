import { z } from 'zod';

export const addTodoSchema = z.object({ title: z.string().min(1).max(100) });
export type AddTodo = z.output<typeof addTodoSchema>;

export const todoSchema = z.object({ id: z.string(), title: z.string() });
export type Todo = z.output<typeof todoSchema>;

/**
 * Compile-time checks of the client's contract typing; nothing here runs.
 * `npm run typecheck` compiles this file: every `@ts-expect-error` line must fail
 * to compile and every other line must compile, or the typecheck fails.
 */
import { z } from 'zod';
import {
  createRealtimeClient,
  type BuiltInContract,
  type ClientToServerEvents,
  type Envelope,
  type MergeContracts,
  type PushEvent,
  type PushPayload,
  type RealtimeClient,
  type ReplyData,
  type RequestBody,
  type RequestEvent,
  type ServerToClientEvents,
  type TypedSocket,
} from '../../src/client/index.js';
import type { AppContract as ReferenceAppContract } from '../../src/contract.js';
import { defineContract } from '../../src/core/websocket/index.js';

/** True when A and B are the same type (not merely assignable either way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only for `true`. */
function assertType<T extends true>(): T | void {}

const todoSchema = z.object({ id: z.string(), title: z.string() });

/** An app's own module, as an app would declare it next to its handlers. */
const todoContract = defineContract({
  requests: {
    'todo:add': { summary: 'Add a todo', body: z.object({ title: z.string() }), reply: todoSchema },
  },
  pushes: {
    'todo:added': { summary: 'A todo was added, by any device of the user', payload: todoSchema },
  },
});

type TodoAppContract = MergeContracts<[BuiltInContract, typeof todoContract]>;
type Todo = { id: string; title: string };

// The derived helpers see the app's events, exactly.
assertType<Equal<RequestBody<TodoAppContract, 'todo:add'>, { title: string }>>();
assertType<Equal<ReplyData<TodoAppContract, 'todo:add'>, Todo>>();
assertType<Equal<PushPayload<TodoAppContract, 'todo:added'>, Todo>>();
assertType<Equal<Extract<RequestEvent<TodoAppContract>, 'todo:add' | 'chat:join'>, 'todo:add' | 'chat:join'>>();
assertType<Equal<Extract<PushEvent<TodoAppContract>, 'todo:added' | 'chat:message'>, 'todo:added' | 'chat:message'>>();
// The defaults are the built-in events only.
assertType<Equal<Extract<RequestEvent, 'todo:add'>, never>>();
assertType<Equal<Extract<PushEvent, 'todo:added'>, never>>();
// The reference app's contract (src/contract.ts) is the built-in one.
assertType<Equal<ReferenceAppContract, BuiltInContract>>();

/** Never called: only compiled. */
export async function typedClientChecks(url: string, title: string): Promise<void> {
  const client: RealtimeClient<TodoAppContract> = createRealtimeClient<TodoAppContract>(url, { token: 'never-sent' });

  // The app's request and push are typed end to end.
  const added: Todo = await client.request('todo:add', { title });
  assertType<Equal<Awaited<ReturnType<typeof client.request<'todo:add'>>>, Todo>>();
  client.on('todo:added', (todo) => {
    const seen: Todo = todo;
    assertType<Equal<typeof todo, Todo>>();
    void seen;
  });
  // The built-in events still work on the merged contract.
  const joined: { roomId: string } = await client.request('chat:join', { roomId: 'lobby' });
  client.on('chat:message', (message) => void message.text.toUpperCase());
  void added;
  void joined;

  // @ts-expect-error: not an event of the contract
  await client.request('todo:remove', { id: 'a' });
  // @ts-expect-error: title is a string
  await client.request('todo:add', { title: 42 });
  // @ts-expect-error: title is required
  await client.request('todo:add', {});
  // @ts-expect-error: the push is todo:added
  client.on('todo:removed', () => undefined);
  // @ts-expect-error: the reply has no done field
  void (await client.request('todo:add', { title })).done;

  // The raw socket is typed with the same contract: ack envelopes and push payloads.
  const socket: TypedSocket<TodoAppContract> = client.socket;
  const envelope: Envelope<Todo> = await socket.emitWithAck('todo:add', { title });
  socket.on('todo:added', (todo) => void todo.title.toUpperCase());
  // @ts-expect-error: title is a string
  void socket.emitWithAck('todo:add', { title: 42 });
  void envelope;

  // Socket.IO's maps are generic too, with the built-in contract by default.
  assertType<Equal<Parameters<ClientToServerEvents<TodoAppContract>['todo:add']>[0], { title: string }>>();
  assertType<Equal<Parameters<ServerToClientEvents<TodoAppContract>['todo:added']>[0], Todo>>();
  assertType<Equal<Extract<keyof ClientToServerEvents, 'todo:add'>, never>>();

  // Without a type argument the client knows the built-in events only.
  const plain = createRealtimeClient(url, { token: 'never-sent' });
  await plain.request('chat:join', { roomId: 'lobby' });
  // @ts-expect-error: todo:add is not a built-in event
  await plain.request('todo:add', { title });
  // @ts-expect-error: todo:added is not a built-in push
  plain.on('todo:added', () => undefined);
}

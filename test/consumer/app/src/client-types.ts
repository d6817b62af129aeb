/**
 * Type-level checks of `nest-realtime/client` as an app's client sees it:
 * compiled by the fixture's build, never executed. An unused
 * `@ts-expect-error` fails the build, so each one must stay an error.
 */
import { createRealtimeClient, RealtimeRequestError, type BuiltInContract, type MergeContracts } from 'nest-realtime/client';
import type { Envelope } from 'nest-realtime';
import type { todoContract } from './todo/todo.contract.js';

type TodoAppContract = MergeContracts<[BuiltInContract, typeof todoContract]>;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

export async function typedClientChecks(url: string, token: string): Promise<void> {
  const client = createRealtimeClient<TodoAppContract>(url, { token });
  await client.ready;

  const todo = await client.request('todo:add', { title: 'milk' });
  assertType<Equal<typeof todo, { id: string; title: string }>>();
  const id: string = todo.id;

  const stop = client.on('todo:added', (added) => {
    assertType<Equal<typeof added, { id: string; title: string }>>();
    void added.title.toUpperCase();
  });
  stop();

  // The built-in events are still there on the merged contract.
  const joined = await client.request('chat:join', { roomId: 'lobby' });
  assertType<Equal<typeof joined, { roomId: string }>>();
  client.on('chat:message', (message) => void message.text.toUpperCase());

  try {
    // @ts-expect-error: not an event of the contract
    await client.request('todo:remove', { id });
  } catch (error) {
    if (error instanceof RealtimeRequestError) void error.code;
  }
  // @ts-expect-error: title is a string
  await client.request('todo:add', { title: 42 });
  // @ts-expect-error: title is required
  await client.request('todo:add', {});
  // @ts-expect-error: not a push of the contract
  client.on('todo:removed', () => {});

  // Without the type argument the client knows the built-in events only.
  const plain = createRealtimeClient(url, { token });
  // @ts-expect-error: todo:add is not a built-in event
  await plain.request('todo:add', { title: 'milk' });
  await plain.request('chat:join', { roomId: 'lobby' });

  // The server's reply envelope, as the core entry names it.
  const envelope: Envelope<{ sockets: number }> = { ok: true, data: await client.request('todo:devices', {}) };
  void envelope;

  client.close();
  plain.close();
}

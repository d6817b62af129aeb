/**
 * The testing kit's typed helpers as an app's TypeScript test sees them:
 * replies and pushes of the built-in events are typed, other events are not
 * mistaken for built-in ones. Compiled by `tsc -p tsconfig.libcheck.json`, never run.
 */
import type { Socket } from 'socket.io-client';
import { collect, request, type KnownPushEvent, type KnownRequestEvent } from 'nest-realtime/testing';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type IsAny<T> = 0 extends 1 & T ? true : false;
function assertType<T extends true>(): T | void {}

export async function testingKitChecks(socket: Socket): Promise<void> {
  assertType<Equal<Extract<KnownRequestEvent, 'chat:join' | 'todo:add'>, 'chat:join'>>();
  assertType<Equal<Extract<KnownPushEvent, 'chat:message' | 'todo:added'>, 'chat:message'>>();

  const reply = await request(socket, 'chat:join', { roomId: 'lobby' });
  assertType<Equal<IsAny<typeof reply>, false>>();
  if (reply.ok) assertType<Equal<typeof reply.data, { roomId: string }>>();

  const messages = collect(socket, 'chat:message');
  assertType<Equal<IsAny<(typeof messages)[number]>, false>>();
  assertType<Equal<(typeof messages)[number]['text'], string>>();

  const todo = await request<{ id: string }>(socket, 'todo:add', { title: 'milk' });
  if (todo.ok) assertType<Equal<typeof todo.data, { id: string }>>();
}

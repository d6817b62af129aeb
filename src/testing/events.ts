import type { Socket } from 'socket.io-client';
// The built-in contract (session, chat, presence, notifications) as the package
// ships it: src/contract.ts says the same but is the demo app's, outside the package's files.
import type { BuiltInContract as AppContract } from '../client/contracts.js';
import type { PushPayload, ReplyData } from '../core/websocket/domain/contract.js';
import type { Envelope } from '../core/websocket/domain/interfaces/websocket-events.interface.js';

/** A request event of the built-in modules (session, chat, presence, notifications): its reply is typed. */
export type KnownRequestEvent = keyof AppContract['requests'] & string;
/** A push event of the built-in modules: its payload is typed. */
export type KnownPushEvent = keyof AppContract['pushes'] & string;

/**
 * Resolves with the first payload of `event`, or rejects after `ms`.
 * Payloads of built-in pushes are typed; every other event's is `T` (`unknown` unless given).
 *
 * @example
 * const update = nextEvent(watcher, 'presence:update');
 * await request(alice, 'presence:set', { status: 'away' });
 * (await update).status; // 'online' | 'away' | ...
 */
export function nextEvent<E extends KnownPushEvent>(socket: Socket, event: E, ms?: number): Promise<PushPayload<AppContract, E>>;
export function nextEvent<T = unknown>(socket: Socket, event: string, ms?: number): Promise<T>;
export function nextEvent(socket: Socket, event: string, ms = 3000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no "${event}" within ${ms} ms`));
    }, ms);
    const on = (payload: unknown) => {
      clearTimeout(timer);
      resolve(payload);
    };
    socket.once(event, on);
  });
}

/**
 * Collects every payload of `event` from now on, into the array it returns.
 * Payloads of built-in pushes are typed; every other event's is `T` (`unknown` unless given).
 *
 * @example
 * const seen = collect<{ count: number }>(alice, 'reactions:updated');
 * await settle(alice);
 * assert.deepEqual(seen, []);
 */
export function collect<E extends KnownPushEvent>(socket: Socket, event: E): PushPayload<AppContract, E>[];
export function collect<T = unknown>(socket: Socket, event: string): T[];
export function collect(socket: Socket, event: string): unknown[] {
  const seen: unknown[] = [];
  socket.on(event, (payload: unknown) => seen.push(payload));
  return seen;
}

/**
 * Resolves once the socket is disconnected, with the reason (`'already'` if it was).
 *
 * @example
 * assert.equal(await disconnected(socket), 'io server disconnect');
 */
export function disconnected(socket: Socket, ms = 3000): Promise<string> {
  if (socket.disconnected) return Promise.resolve('already');
  return nextEvent<string>(socket, 'disconnect', ms);
}

/**
 * Sends `event` with `body` and resolves with the ack envelope (rejects after 3 s without one).
 * Replies of built-in requests are typed; every other event's `data` is `R` (`unknown` unless given).
 * The body is not checked against the contract, so a test can send invalid ones.
 *
 * @example
 * const reply = await request<{ id: string }>(socket, 'todo:add', { title: 'milk' });
 * if (reply.ok) console.log(reply.data.id);
 */
export function request<E extends KnownRequestEvent>(
  socket: Socket,
  event: E,
  body?: unknown,
): Promise<Envelope<ReplyData<AppContract, E>>>;
export function request<R = unknown>(socket: Socket, event: string, body?: unknown): Promise<Envelope<R>>;
export function request(socket: Socket, event: string, body?: unknown): Promise<Envelope> {
  return socket.timeout(3000).emitWithAck(event, body);
}

/**
 * Proves a negative without sleeping blindly: a round trip through `probe`
 * (which the server answers after anything it sent `probe` before), after
 * which a `collect` array on `probe` holds everything it will get.
 *
 * @example
 * const seen = collect(bob, 'chat:message');
 * await request(alice, 'chat:send', { roomId: 'private', text: 'hi' });
 * await settle(bob);
 * assert.deepEqual(seen, []);
 */
export async function settle(probe: Socket): Promise<void> {
  // auth:refresh with a junk token is answered by the core itself, with no side effect.
  await request(probe, 'auth:refresh', { token: 'x' });
}

/**
 * Polls `check` every 25 ms until it holds, or rejects after `ms`; for state
 * that has no event to wait on (registry counts, health).
 *
 * @example
 * await eventually(async () => (await registry.count('alice')) === 0, 5000, 'alice gone from the registry');
 */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// The test kit's helpers (src/testing), which our own suites use so they stay
// correct. The kit types replies and payloads; these suites read them loosely
// (`reply.data.messages` without narrowing on `ok`), so here `T` defaults to any.
import type { Socket } from 'socket.io-client';
import * as kit from '../../src/testing/events.js';

/** Resolves with the first payload of `event`, or rejects after `ms`. */
export function nextEvent<T = any>(socket: Socket, event: string, ms = 3000): Promise<T> {
  return kit.nextEvent<T>(socket, event, ms);
}

/** Collects every payload of `event` until read. */
export function collect<T = any>(socket: Socket, event: string): T[] {
  return kit.collect<T>(socket, event);
}

/** Resolves once the socket is disconnected, with the reason. */
export function disconnected(socket: Socket, ms = 3000): Promise<string> {
  return kit.disconnected(socket, ms);
}

/** Sends and waits for the ack envelope (`T` is the whole envelope). */
export async function request<T = any>(socket: Socket, event: string, body?: unknown): Promise<T> {
  return (await kit.request(socket, event, body)) as T;
}

/** Proves a negative: a round trip through `probe`, after which nothing more is on its way to it. */
export function settle(probe: Socket): Promise<void> {
  return kit.settle(probe);
}

/** Polls `check` until it holds; for state that has no event to wait on (registry counts, health). */
export function eventually(check: () => Promise<boolean> | boolean, ms = 5000, what = 'condition'): Promise<void> {
  return kit.eventually(check, ms, what);
}

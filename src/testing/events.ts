import type { Socket } from 'socket.io-client';

/** Resolves with the first payload of `event`, or rejects after `ms`. */
export function nextEvent<T = any>(socket: Socket, event: string, ms = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no "${event}" within ${ms} ms`));
    }, ms);
    const on = (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    };
    socket.once(event, on);
  });
}

/** Collects every payload of `event` until read. */
export function collect<T = any>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

/** Resolves once the socket is disconnected, with the reason. */
export function disconnected(socket: Socket, ms = 3000): Promise<string> {
  if (socket.disconnected) return Promise.resolve('already');
  return nextEvent<string>(socket, 'disconnect', ms);
}

/** Sends and waits for the ack envelope. */
export function request<T = any>(socket: Socket, event: string, body?: unknown): Promise<T> {
  return socket.timeout(3000).emitWithAck(event, body);
}

/**
 * Proves a negative without sleeping blindly: sends a round trip through
 * `probe` (which the server answers after anything sent before it), then
 * checks nothing arrived.
 */
export async function settle(probe: Socket): Promise<void> {
  await request(probe, 'auth:refresh', { token: 'x' });
}

/** Polls `check` until it holds; for state that has no event to wait on (registry counts, health). */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

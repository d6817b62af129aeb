import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

/** How a `FaultProxy` treats the traffic between the nodes and Redis. */
export type Fault =
  /** Every byte forwarded as it comes. */
  | { kind: 'none' }
  /** Every chunk, both ways, held for `ms` first. */
  | { kind: 'latency'; ms: number }
  /** Connections stay open and new ones are accepted, but nothing gets through either way: a hung network or server. */
  | { kind: 'blackhole' }
  /** Every connection is reset (RST), and new ones are reset as they come. */
  | { kind: 'reset' }
  /**
   * The Redis side of every connection is gone while the node's side stays
   * open and silent, as after a peer crashed without a FIN: the node learns
   * nothing until it gives up waiting. New connections get the same.
   */
  | { kind: 'half-open' };

/**
 * A loopback TCP proxy between the nodes and Redis that injects network
 * faults, so a test can see how the nodes behave in the outages production
 * actually has: latency, a hang, resets and half-open connections. Healing
 * (`set({ kind: 'none' })`) forwards again on every connection that is still
 * usable; those that a fault broke stay broken, as in a real network, and
 * the clients must notice and reconnect.
 */
export interface FaultProxy {
  port: number;
  /** `127.0.0.1:<port>` as a `redis://` URL. */
  url: string;
  set(fault: Fault): void;
  /** Connections open through it now. */
  readonly connections: number;
  stop(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
  /** Broken by a fault: nothing is ever forwarded on it again. */
  dead: boolean;
  /** Chunks held each way, in order: a later chunk never overtakes an earlier one, latency or not (TCP keeps order). */
  held: { up: Held[]; down: Held[] };
  pumping: { up: boolean; down: boolean };
}

interface Held {
  at: number;
  chunk: Buffer;
}

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  let fault: Fault = { kind: 'none' };
  const pairs = new Set<Pair>();

  const close = (pair: Pair): void => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };
  /** Forwards `chunk` one way unless the fault drops it; latency delays it, and no chunk overtakes an earlier one. */
  const forward = (pair: Pair, way: 'up' | 'down', chunk: Buffer): void => {
    if (pair.dead || fault.kind === 'blackhole' || fault.kind === 'half-open' || fault.kind === 'reset') return;
    pair.held[way].push({ at: Date.now() + (fault.kind === 'latency' ? fault.ms : 0), chunk });
    pump(pair, way);
  };
  /** Sends the held chunks that are due, oldest first, and waits for the next one. */
  const pump = (pair: Pair, way: 'up' | 'down'): void => {
    if (pair.pumping[way]) return;
    const queue = pair.held[way];
    while (queue.length > 0 && queue[0]!.at <= Date.now()) {
      const { chunk } = queue.shift()!;
      const target = way === 'up' ? pair.upstream : pair.client;
      if (!pair.dead && target && !target.destroyed) target.write(chunk);
    }
    if (queue.length === 0) return;
    pair.pumping[way] = true;
    setTimeout(
      () => {
        pair.pumping[way] = false;
        pump(pair, way);
      },
      Math.max(1, queue[0]!.at - Date.now()),
    );
  };
  const breakPair = (pair: Pair, kind: Fault['kind']): void => {
    if (kind === 'reset') {
      pair.client.resetAndDestroy();
      pair.upstream?.resetAndDestroy();
      pairs.delete(pair);
    } else if (kind === 'half-open') {
      // Redis's side goes; the node's side stays open and hears nothing more.
      pair.dead = true;
      pair.upstream?.destroy();
    } else if (kind === 'blackhole') {
      pair.dead = true;
    }
  };

  const server = createServer({ pauseOnConnect: false }, (client) => {
    const pair: Pair = { client, dead: false, held: { up: [], down: [] }, pumping: { up: false, down: false } };
    pairs.add(pair);
    client.on('error', () => close(pair));
    client.on('close', () => close(pair));
    if (fault.kind === 'reset') return void breakPair(pair, 'reset');
    if (fault.kind === 'blackhole' || fault.kind === 'half-open') {
      // Accepted and never answered.
      pair.dead = true;
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    pair.upstream = upstream;
    upstream.on('error', () => (pair.dead ? upstream.destroy() : close(pair)));
    // A half-open pair keeps its node side open after the Redis side closed.
    upstream.on('close', () => !pair.dead && close(pair));
    client.on('data', (chunk: Buffer) => forward(pair, 'up', chunk));
    upstream.on('data', (chunk: Buffer) => forward(pair, 'down', chunk));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    set(next) {
      fault = next;
      if (next.kind === 'reset' || next.kind === 'half-open' || next.kind === 'blackhole') {
        for (const pair of [...pairs]) breakPair(pair, next.kind);
      }
    },
    get connections() {
      return pairs.size;
    },
    async stop() {
      for (const pair of [...pairs]) close(pair);
      server.close();
      await once(server, 'close');
    },
  };
}

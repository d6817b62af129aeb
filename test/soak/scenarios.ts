import { signToken } from '../support/app.js';
import { closeAll, connectRaw, type RawClient } from '../support/raw-client.js';

/**
 * Load scenarios shared by the bounded versions in `npm test`
 * (test/hostile/*.e2e-spec.ts) and the long ones in `npm run soak`
 * (test/soak/*.soak-spec.ts). Clients are raw Engine.IO clients: a thousand
 * of them cost the test process less than a hundred socket.io-clients.
 */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `task` over `items` with at most `limit` at a time. */
export async function pool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Connects, retrying with jittered backoff until `deadline` (a reconnecting client, as socket.io-client would). */
export async function connectWithRetry(
  url: () => string,
  userId: string,
  claims: Record<string, unknown>,
  deadline: number,
): Promise<RawClient> {
  let delay = 50;
  for (;;) {
    try {
      return (await connectRaw(url(), { token: signToken(userId, claims) }, {}, 3000)).quiet();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(delay / 2 + Math.random() * delay);
      delay = Math.min(delay * 2, 1000);
    }
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface LoadOptions {
  /** The nodes' URLs; clients are spread over them round-robin. */
  urls: string[];
  clients: number;
  roomSize: number;
  /** Messages a second, all clients together. */
  ratePerSec: number;
  durationMs: number;
}

export interface LoadResult {
  sent: number;
  acked: number;
  failed: number;
  /** Messages a member present the whole time should have got and did not. */
  lost: number;
  /** Messages a member got more than once. */
  duplicated: number;
  /** Messages a member got that were never acked to their sender (a failed send that was still delivered). */
  unacked: number;
  ackMs: { p50: number; p99: number; max: number };
  deliveries: number;
  elapsedMs: number;
}

/**
 * `clients` members in rooms of `roomSize`, spread over the nodes so every
 * room spans them, sending `ratePerSec` messages a second in all for
 * `durationMs`. Every member stays the whole time, so each must get every
 * message acked in its rooms by others exactly once.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const rooms = Math.ceil(options.clients / options.roomSize);
  const members = await pool(
    Array.from({ length: options.clients }, (_, i) => i),
    50,
    async (i) => {
      const roomId = `load-${i % rooms}`;
      // Member k of a room goes to node k mod n, so every room spans the nodes.
      const url = options.urls[Math.floor(i / rooms) % options.urls.length]!;
      const client = (await connectRaw(url, { token: signToken(`loader-${i}`, { rooms: [roomId] }) }, {}, 10_000)).quiet();
      const reply = await client.request('chat:join', { roomId }, 10_000);
      if (!reply.ok) throw new Error(`join failed: ${JSON.stringify(reply)}`);
      const received = new Map<string, number>();
      client.on('chat:message', (message: { id: string }) => received.set(message.id, (received.get(message.id) ?? 0) + 1));
      return { client, roomId, received };
    },
  );
  try {
    const ackedByRoom = new Map<string, Array<{ id: string; from: number }>>();
    const latencies: number[] = [];
    let sent = 0;
    let failed = 0;
    const pending: Promise<void>[] = [];
    const started = Date.now();
    const interval = 1000 / options.ratePerSec;
    // Sends on a schedule, catching up after a late timer, so the rate holds on a busy machine.
    while (Date.now() - started < options.durationMs) {
      const due = Math.floor((Date.now() - started) / interval) + 1;
      while (sent < due) {
        const from = sent % members.length;
        const { client, roomId } = members[(from * 7919) % members.length]!;
        const sender = (from * 7919) % members.length;
        const t0 = performance.now();
        const n = sent++;
        pending.push(
          client.request('chat:send', { roomId, text: `m${n}` }, 15_000).then(
            (reply) => {
              if (!reply.ok) return void failed++;
              latencies.push(performance.now() - t0);
              let list = ackedByRoom.get(roomId);
              if (!list) ackedByRoom.set(roomId, (list = []));
              list.push({ id: reply.data.id, from: sender });
            },
            () => void failed++,
          ),
        );
      }
      await sleep(Math.max(1, interval / 2));
    }
    await Promise.all(pending);
    const elapsedMs = Date.now() - started;
    // A round trip through every member: every broadcast sent before it has arrived.
    await pool(members, 50, ({ client }) => client.request('presence:query', { userIds: ['x'] }, 15_000));

    let lost = 0;
    let duplicated = 0;
    let unacked = 0;
    let deliveries = 0;
    members.forEach(({ roomId, received }, index) => {
      const expected = (ackedByRoom.get(roomId) ?? []).filter((m) => m.from !== index);
      const expectedIds = new Set(expected.map((m) => m.id));
      for (const { id } of expected) {
        const count = received.get(id) ?? 0;
        if (count === 0) lost++;
        if (count > 1) duplicated += count - 1;
      }
      for (const [id, count] of received) {
        deliveries += count;
        if (!expectedIds.has(id)) unacked++;
      }
    });
    latencies.sort((a, b) => a - b);
    const acked = latencies.length;
    return {
      sent,
      acked,
      failed,
      lost,
      duplicated,
      unacked,
      deliveries,
      elapsedMs,
      ackMs: {
        p50: round(percentile(latencies, 50)),
        p99: round(percentile(latencies, 99)),
        max: round(latencies[latencies.length - 1] ?? Number.NaN),
      },
    };
  } finally {
    await closeAll(members.map((m) => m.client));
  }
}

export function describeLoad(result: LoadResult): string {
  return (
    `load: ${result.sent} sent in ${(result.elapsedMs / 1000).toFixed(1)} s (${Math.round((result.sent * 1000) / result.elapsedMs)}/s), ` +
    `${result.acked} acked, ${result.failed} failed, ${result.deliveries} deliveries; ` +
    `lost ${result.lost}, duplicated ${result.duplicated}, unacked delivered ${result.unacked}; ` +
    `ack p50 ${result.ackMs.p50} ms, p99 ${result.ackMs.p99} ms, max ${result.ackMs.max} ms`
  );
}

const round = (ms: number) => Math.round(ms * 10) / 10;

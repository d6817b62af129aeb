import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { startTestCluster, type TestCluster as KitCluster } from '../../src/testing/index.js';
import { startApp, type TestApp } from './app.js';
import { startRedis, type TestRedis } from './redis-server.js';
import type { ChatMessage } from '../../src/modules/chat/index.js';
import type { Envelope } from '../../src/core/websocket/domain/interfaces/envelope.js';
import { eventually, request } from './events.js';
import { sharedSeeds, sharedTarget } from './redis-modes.js';
import type { RedisTarget } from '../../src/testing/redis-clients.js';

export { eventually } from './events.js';

export type TestCluster = KitCluster<TestApp>;

/** The ways a multi-node suite reaches Redis (see `startCluster`). */
export const REDIS_MODES = ['one server', 'Redis Cluster', 'Redis Sentinel'] as const;
export type RedisMode = (typeof REDIS_MODES)[number];

/**
 * The environment that points a node at Redis in `mode`: a redis-server of
 * its own for `one server` (`redis`, which the caller may kill), or the run's
 * shared cluster or Sentinel set under a key prefix of its own (`prefix`);
 * `option` is the same place as the module's `redis` option.
 */
export async function redisEnv(mode: RedisMode): Promise<{
  env: Record<string, string>;
  option: Exclude<RedisTarget, string>;
  prefix: string;
  redis?: TestRedis;
  stop(): Promise<void>;
}> {
  if (mode === 'one server') {
    const redis = await startRedis();
    return { env: { REDIS_URL: redis.url }, option: { url: redis.url }, prefix: 'rt:', redis, stop: () => redis.stop() };
  }
  const prefix = `e2e-${randomUUID().slice(0, 8)}:`;
  const env = { [mode === 'Redis Cluster' ? 'REDIS_CLUSTER_NODES' : 'REDIS_SENTINELS']: sharedSeeds(mode), REDIS_KEY_PREFIX: prefix };
  return { env, option: sharedTarget(mode, prefix), prefix, stop: async () => undefined };
}

/**
 * `count` nodes of this project's app, each with its own adapter clients,
 * sharing a redis-server of their own (`one server`), or the run's shared
 * Redis Cluster or Sentinel set (test/global-setup.ts) under a key prefix of
 * their own, so no other suite's nodes see their keys or channels.
 */
export async function startCluster(count: number, env: Record<string, string> = {}, mode: RedisMode = 'one server'): Promise<TestCluster> {
  if (mode === 'one server')
    return startTestCluster(count, ({ redisUrl, nodeId }) => startApp({ REDIS_URL: redisUrl, NODE_ID: nodeId, ...env }));
  const { env: shared } = await redisEnv(mode);
  const nodes: TestApp[] = [];
  const close = async () => void (await Promise.all(nodes.map((node) => node.close().catch(() => undefined))));
  try {
    for (let index = 0; index < count; index++) nodes.push(await startApp({ ...shared, NODE_ID: `node-${index + 1}`, ...env }));
  } catch (error) {
    await close();
    throw error;
  }
  const notOwned = async () => {
    throw new Error(`the ${mode} is shared by the run: a suite that stops Redis starts its own`);
  };
  return { redis: { port: 0, url: '', kill: notOwned, start: notOwned, stop: notOwned }, nodes, close };
}

/** What a stream of `chat:send` requests got back while it ran. */
export interface TrafficOutcome {
  /** Messages acknowledged, in the order of their replies, with the time of each reply. */
  acknowledged: Array<{ id: string; at: number }>;
  /** Error replies by code. */
  refused: Record<string, number>;
  /** Requests that got no reply within 3 s. */
  unanswered: number;
}

/**
 * Sends `chat:send` to `roomId` from each of `senders` in turn, one request
 * in flight at a time, until `stop()`: traffic through a fault. A request
 * without an answer within 10 s counts as unanswered (a send makes a few
 * Redis commands, each bounded by its 3 s timeout, and a failover retries).
 */
export function startTraffic(senders: Socket[], roomId: string): { stop(): Promise<TrafficOutcome> } {
  const outcome: TrafficOutcome = { acknowledged: [], refused: {}, unanswered: 0 };
  let running = true;
  const loop = (async () => {
    const until = Date.now() + 60_000;
    // Also over when the test is: its sockets closed, or a minute passed.
    for (let i = 0; running && Date.now() < until && senders.some((socket) => socket.connected); i++) {
      try {
        const sender = senders[i % senders.length]!;
        const reply = (await sender.timeout(10_000).emitWithAck('chat:send', { roomId, text: `traffic ${i}` })) as Envelope;
        if (reply.ok) outcome.acknowledged.push({ id: (reply.data as { id: string }).id, at: Date.now() });
        else outcome.refused[reply.error.code] = (outcome.refused[reply.error.code] ?? 0) + 1;
      } catch {
        outcome.unanswered++;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return outcome;
    },
  };
}

/**
 * Sends `text` to chat room `roomId` from `from` and resolves with the message
 * once `to` (a socket on another node) has it. Other messages to the room
 * (traffic still running) may arrive before it.
 */
export async function crossNodes(from: Socket, to: Socket, roomId: string, text: string): Promise<ChatMessage> {
  const arrived: ChatMessage[] = [];
  const onMessage = (message: ChatMessage) => arrived.push(message);
  to.on('chat:message', onMessage);
  try {
    const reply = await request(from, 'chat:send', { roomId, text });
    expect(reply).toMatchObject({ ok: true });
    await eventually(async () => arrived.some((message) => message.id === reply.data.id), 5000, `"${text}" delivered on the other node`);
    expect(arrived.find((message) => message.id === reply.data.id)).toEqual(reply.data);
    return reply.data as ChatMessage;
  } finally {
    to.off('chat:message', onMessage);
  }
}

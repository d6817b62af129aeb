import { ensureRedisPeers } from './optional-peer.js';
import { assertRedisServer, launchRedis, type TestRedis } from './redis-server.js';
import type { TestServer } from './test-server.js';

/** Nodes sharing a `redis-server` of their own, as `startTestCluster` started them. */
export interface TestCluster<S extends TestServer = TestServer> {
  redis: TestRedis;
  nodes: S[];
  /** Closes every node, then stops Redis. */
  close(): Promise<void>;
}

/**
 * A redis-server of its own and `count` nodes sharing it, each started by
 * `start` with its own adapter clients (in this process). Needs `redis-server`
 * on the PATH and the `ioredis` and `@socket.io/redis-adapter` packages, and
 * says which is missing before starting anything.
 *
 * @example
 * const cluster = await startTestCluster(2, ({ redisUrl, nodeId }) =>
 *   startTestApp({ imports: [ReactionsModule], websocket: { redis: { url: redisUrl }, nodeId } }));
 */
export async function startTestCluster<S extends TestServer>(
  count: number,
  start: (node: { redisUrl: string; nodeId: string; index: number }) => Promise<S>,
): Promise<TestCluster<S>> {
  assertRedisServer('startTestCluster');
  await ensureRedisPeers('startTestCluster');
  const redis = await launchRedis('startTestCluster');
  const nodes: S[] = [];
  try {
    for (let index = 0; index < count; index++) nodes.push(await start({ redisUrl: redis.url, nodeId: `node-${index + 1}`, index }));
  } catch (error) {
    await Promise.all(nodes.map((node) => node.close().catch(() => undefined)));
    await redis.stop();
    throw error;
  }
  return {
    redis,
    nodes,
    async close() {
      await Promise.all(nodes.map((node) => node.close().catch(() => undefined)));
      await redis.stop();
    },
  };
}

import { startApp, type TestApp } from './app.js';
import { startRedis, type TestRedis } from './redis-server.js';

export interface TestCluster {
  redis: TestRedis;
  nodes: TestApp[];
  close(): Promise<void>;
}

/** A redis-server of its own and `count` app nodes sharing it, each with its own adapter clients. */
export async function startCluster(count: number, env: Record<string, string> = {}): Promise<TestCluster> {
  const redis = await startRedis();
  const nodes: TestApp[] = [];
  try {
    for (let i = 1; i <= count; i++) nodes.push(await startApp({ REDIS_URL: redis.url, NODE_ID: `node-${i}`, ...env }));
  } catch (error) {
    await Promise.all(nodes.map((node) => node.close()));
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

/** Polls `check` until it holds; for state that has no event to wait on (registry counts, health). */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

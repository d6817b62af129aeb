import { startTestCluster, type TestCluster as KitCluster } from '../../src/testing/index.js';
import { startApp, type TestApp } from './app.js';

export { eventually } from '../../src/testing/index.js';

export type TestCluster = KitCluster<TestApp>;

/** A redis-server of its own and `count` nodes of this project's app sharing it, each with its own adapter clients. */
export function startCluster(count: number, env: Record<string, string> = {}): Promise<TestCluster> {
  return startTestCluster(count, ({ redisUrl, nodeId }) => startApp({ REDIS_URL: redisUrl, NODE_ID: nodeId, ...env }));
}

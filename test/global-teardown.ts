import { rm } from 'node:fs/promises';
import type { TestRedis, TestRedisCluster } from '../src/testing/redis-server.js';

const shared = globalThis as { sharedRedis?: { cluster: TestRedisCluster; servers: TestRedis[]; dir: string } };

/** Stops what test/global-setup.ts started. */
export default async function globalTeardown(): Promise<void> {
  const started = shared.sharedRedis;
  if (!started) return;
  await Promise.all([started.cluster.stop(), ...started.servers.map((server) => server.stop())]);
  await rm(started.dir, { recursive: true, force: true });
}

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestRedis, TestRedisCluster } from '../src/testing/redis-server.js';

/** What the setup started, for the teardown (the same process). */
const shared = globalThis as { sharedRedis?: { cluster: TestRedisCluster; servers: TestRedis[]; dir: string } };

/**
 * Starts, once for the whole run, the Redis topologies that suites share
 * under key prefixes of their own (test/support/redis-modes.ts): a 3-master,
 * 3-replica Redis Cluster, and a primary behind a sentinel. Suites that kill
 * or fail over servers start their own.
 */
export default async function globalSetup(): Promise<void> {
  // Jest loads this file outside its module mapper (which turns `.js` into `.ts`): the source is named as it is.
  const source = fileURLToPath(new URL('../src/testing/redis-server.ts', import.meta.url));
  const { launchRedis, startRedisCluster } = (await import(source)) as typeof import('../src/testing/redis-server.js');
  const dir = await mkdtemp(join(tmpdir(), 'nest-realtime-shared-'));
  const feature = 'the shared Sentinel set of the test run';
  const [cluster, primary] = await Promise.all([startRedisCluster(), launchRedis(feature)]);
  const configFile = join(dir, 'sentinel.conf');
  await writeFile(configFile, `dir ${dir}\nsentinel monitor mymaster 127.0.0.1 ${primary.port} 1\n`);
  const sentinel = await launchRedis(feature, { configFile, args: ['--sentinel'] });
  shared.sharedRedis = { cluster, servers: [primary, sentinel], dir };
  // Read by the test workers, which inherit this process's environment.
  process.env.SHARED_REDIS_CLUSTER_NODES = cluster.seeds;
  process.env.SHARED_REDIS_SENTINELS = `127.0.0.1:${sentinel.port}`;
}

import { randomUUID } from 'node:crypto';
import type { RedisClients } from '../../src/core/websocket/internal.js';
import { clearRedisKeys, connectRedisClients, type RedisTarget } from '../../src/testing/redis-clients.js';
import { startRedis, type TestRedis } from '../../src/testing/redis-server.js';

/** One way of reaching Redis, as a spec runs a store's contract over it. */
export interface RedisMode {
  name: string;
  /** Where a client of this spec connects: its own key prefix on a shared server, so specs never see each other's keys. */
  target(): Promise<RedisTarget>;
  /** Clients of another node (`nodeId`) on the same target. */
  connect(nodeId?: string): Promise<RedisClients>;
  /** Deletes this spec's keys. */
  clear(clients: RedisClients): Promise<void>;
  stop(): Promise<void>;
}

/** The seed nodes of the run's shared cluster or sentinels (`host:port,...`), as test/global-setup.ts published them. */
export function sharedSeeds(mode: 'Redis Cluster' | 'Redis Sentinel'): string {
  const variable = mode === 'Redis Cluster' ? 'SHARED_REDIS_CLUSTER_NODES' : 'SHARED_REDIS_SENTINELS';
  const value = process.env[variable];
  if (!value)
    throw new Error(
      `${variable} is not set: run the suites through Jest, whose global setup (test/global-setup.ts) starts the shared Redis servers`,
    );
  return value;
}

/** The module's `redis` option for the shared cluster or sentinels. */
export function sharedTarget(mode: 'Redis Cluster' | 'Redis Sentinel', keyPrefix?: string): Exclude<RedisTarget, string> {
  const endpoints = sharedSeeds(mode)
    .split(',')
    .map((item) => ({ host: item.slice(0, item.lastIndexOf(':')), port: Number(item.slice(item.lastIndexOf(':') + 1)) }));
  const prefix = keyPrefix === undefined ? {} : { keyPrefix };
  return mode === 'Redis Cluster' ? { clusterNodes: endpoints, ...prefix } : { sentinels: endpoints, ...prefix };
}

/**
 * The three ways of reaching Redis: one server of the spec's own, the shared
 * Redis Cluster (3 masters, 3 replicas) and the shared primary behind a
 * sentinel, each under a key prefix of the spec's own.
 *
 * @example
 * describe.each(redisModes())('on $name', (mode) => { ... });
 */
export function redisModes(): RedisMode[] {
  const make = (name: string, base: () => Promise<{ target: RedisTarget; stop?: () => Promise<void> }>): RedisMode => {
    const keyPrefix = `spec-${randomUUID().slice(0, 8)}:`;
    let made: Promise<{ target: RedisTarget; stop?: () => Promise<void> }> | undefined;
    const target = async (): Promise<RedisTarget> => {
      made ??= base();
      const { target: where } = await made;
      return typeof where === 'string' ? { url: where, keyPrefix } : { ...where, keyPrefix };
    };
    return {
      name,
      target,
      connect: async (nodeId = 'spec') => connectRedisClients(await target(), nodeId),
      clear: (clients) => clearRedisKeys(clients),
      stop: async () => (await made)?.stop?.(),
    };
  };
  return [
    make('one server', async () => {
      const redis: TestRedis = await startRedis();
      return { target: redis.url, stop: () => redis.stop() };
    }),
    make('Redis Cluster', async () => ({ target: sharedTarget('Redis Cluster') })),
    make('Redis Sentinel', async () => ({ target: sharedTarget('Redis Sentinel') })),
  ];
}

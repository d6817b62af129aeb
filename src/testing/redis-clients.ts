import type { WebsocketModuleOptions } from '../core/websocket/index.js';
import { RedisClients } from '../core/websocket/internal.js';
import { resolveWebsocketOptions } from '../core/websocket/websocket.module-definition.js';
import { TEST_JWT_SECRET } from './test-server.js';

/** Where the clients connect: a `redis://` URL, or the module's `redis` option (sentinels, a cluster's nodes, a key prefix). */
export type RedisTarget = string | NonNullable<WebsocketModuleOptions['redis']>;

/**
 * The core's own Redis clients against `target`, connected, with the options a
 * module would get (fail-fast commands, the default key prefix unless the
 * target sets one): for specs of a Redis-backed store. Close them with
 * `clients.close()`. Needs the `ioredis` and `@socket.io/redis-adapter` packages.
 *
 * @example
 * const redis = await startRedis();
 * const clients = await connectRedisClients(redis.url);
 * const store = new RedisChatMessageStore(clients);
 *
 * const cluster = await startRedisCluster();
 * const onCluster = await connectRedisClients({ clusterNodes: cluster.nodes, keyPrefix: 'spec:' });
 */
export async function connectRedisClients(target: RedisTarget, nodeId = 'spec'): Promise<RedisClients> {
  const redis = typeof target === 'string' ? { url: target } : target;
  const clients = await RedisClients.create(resolveWebsocketOptions({ auth: { secret: TEST_JWT_SECRET }, redis, nodeId }));
  await clients.onModuleInit();
  return clients;
}

/**
 * Deletes every key under the clients' key prefix, on every master of a
 * cluster: a spec's clean slate on a Redis that other specs share (under
 * prefixes of their own), where `FLUSHALL` would wipe theirs too.
 */
export async function clearRedisKeys(clients: RedisClients): Promise<void> {
  const { command } = clients;
  const servers = 'nodes' in command && typeof command.nodes === 'function' ? command.nodes('master') : [command];
  await Promise.all(
    servers.map(async (server) => {
      let cursor = '0';
      do {
        const [next, keys] = await server.scan(cursor, 'MATCH', `${escapeGlob(clients.prefix)}*`, 'COUNT', 1000);
        cursor = next;
        // One key per DEL: on a cluster, keys of one master may lie in several slots.
        await Promise.all(keys.map((key) => server.del(key)));
      } while (cursor !== '0');
    }),
  );
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

import { RedisClients } from '../core/websocket/index.js';
import { resolveWebsocketOptions } from '../core/websocket/websocket.module-definition.js';
import { TEST_JWT_SECRET } from './test-server.js';

/**
 * The core's own Redis clients against `url`, connected, with the options a
 * module would get (fail-fast commands, the default key prefix): for specs of
 * a Redis-backed store. Close them with `clients.close()`.
 */
export async function connectRedisClients(url: string, nodeId = 'spec'): Promise<RedisClients> {
  const clients = await RedisClients.create(resolveWebsocketOptions({ auth: { secret: TEST_JWT_SECRET }, redis: { url }, nodeId }));
  await clients.onModuleInit();
  return clients;
}

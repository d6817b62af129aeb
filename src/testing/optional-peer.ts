import { loadRedisLibraries } from '../core/websocket/infrastructure/redis/redis-clients.js';

/**
 * Loads `ioredis` and Socket.IO's Redis adapter up front, the same way the
 * core does, so a helper names a missing package before it starts anything.
 */
export async function ensureRedisPeers(feature: string): Promise<void> {
  await loadRedisLibraries(feature, 'nest-realtime/testing');
}

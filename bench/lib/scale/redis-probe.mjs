// What the scale run reads from its own redis-server: memory, clients,
// sharded Pub/Sub channels, and the app's connection registry (the layout in
// src/core/websocket/infrastructure/redis/redis-connection.registry.ts:
// `<prefix>{<group>}user:<userId>` a HASH socketId -> nodeId, `<prefix>{<group>}sockets`
// the group's count of sockets on every node).
import { Redis } from 'ioredis';

export function redisProbe(url) {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  redis.on('error', () => {});
  const info = async (section) => {
    const text = await redis.info(section);
    const fields = {};
    for (const line of text.split('\r\n')) {
      const at = line.indexOf(':');
      if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1);
    }
    return fields;
  };
  const scan = async (match) => {
    const keys = [];
    let cursor = '0';
    do {
      const [nextCursor, batch] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 5000);
      cursor = nextCursor;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  };
  return {
    /** used_memory and friends, in bytes; keys in the database; clients; sharded channels. */
    async snapshot() {
      const [memory, clients, keyspace, channels] = await Promise.all([
        info('memory'),
        info('clients'),
        redis.dbsize(),
        redis.call('PUBSUB', 'SHARDCHANNELS').catch(() => []),
      ]);
      return {
        usedMemory: Number(memory.used_memory),
        usedMemoryRss: Number(memory.used_memory_rss),
        usedMemoryDataset: Number(memory.used_memory_dataset ?? NaN),
        clients: Number(clients.connected_clients),
        clientsOutputBuffers: Number(memory.mem_clients_normal ?? NaN),
        keys: keyspace,
        shardChannels: channels.length,
      };
    },
    /**
     * The registry as Redis holds it, for the users whose id starts with `userPrefix`:
     * how many have exactly one socket, none (no key), more than one, and on which nodes
     * their sockets are; and the sum of the groups' socket counters (every user).
     */
    async registry(userIds, { prefix = 'rt:', userPrefix } = {}) {
      const userKeys = await scan(`${prefix}{*}user:${userPrefix}*`);
      const pipeline = redis.pipeline();
      for (const key of userKeys) pipeline.hgetall(key);
      const replies = userKeys.length > 0 ? await pipeline.exec() : [];
      const byUser = new Map();
      replies.forEach(([error, hash], i) => {
        if (error) throw error;
        const key = userKeys[i];
        byUser.set(key.slice(key.indexOf('}user:') + 6), hash);
      });
      let one = 0;
      let none = 0;
      let several = 0;
      const nodes = {};
      for (const userId of userIds) {
        const hash = byUser.get(userId);
        const sockets = hash ? Object.keys(hash).length : 0;
        if (sockets === 0) none++;
        else if (sockets === 1) one++;
        else several++;
        for (const node of Object.values(hash ?? {})) nodes[node] = (nodes[node] ?? 0) + 1;
      }
      const counters = await scan(`${prefix}{*}sockets`);
      const counts = counters.length > 0 ? await redis.mget(counters) : [];
      const nodeKeys = await scan(`${prefix}{*}node:*`);
      return {
        users: userIds.length,
        exactlyOne: one,
        none,
        several,
        socketsByNode: nodes,
        socketCounterTotal: counts.reduce((sum, value) => sum + Number(value ?? 0), 0),
        nodeKeys: [...new Set(nodeKeys.map((key) => key.slice(key.indexOf('}node:') + 6)))].sort(),
      };
    },
    close: () => redis.quit().catch(() => redis.disconnect()),
  };
}

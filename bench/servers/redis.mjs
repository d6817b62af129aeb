// Shared by the hand-written baselines (socketio.mjs, nest-plain.mjs): the
// same sharded Socket.IO Redis adapter as the project's app, over one
// redis-server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES, the seed
// nodes as `host:port,host:port`). On a cluster the subscriber holds one
// connection per master for the sharded channels of its slots. Neither set:
// no adapter (undefined).

export async function shardedRedisAdapter() {
  const url = process.env.REDIS_URL;
  const seeds = process.env.REDIS_CLUSTER_NODES;
  if (!url && !seeds) return undefined;
  if (url && seeds) throw new Error('bench server: set REDIS_URL or REDIS_CLUSTER_NODES, not both');
  const { Cluster, Redis } = await import('ioredis');
  const { createShardedAdapter } = await import('@socket.io/redis-adapter');
  let pub;
  let sub;
  if (url) {
    pub = new Redis(url);
    sub = new Redis(url);
  } else {
    const nodes = seeds.split(',').map((seed) => {
      const at = seed.trim().lastIndexOf(':');
      return { host: seed.trim().slice(0, at), port: Number(seed.trim().slice(at + 1)) };
    });
    pub = new Cluster(nodes);
    sub = new Cluster(nodes, { shardedSubscribers: true });
  }
  for (const client of [pub, sub]) client.on('error', (error) => console.error(`redis: ${error.message}`));
  return createShardedAdapter(pub, sub);
}

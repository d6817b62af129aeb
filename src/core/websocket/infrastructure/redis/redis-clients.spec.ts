import { startRedis, type TestRedis } from '../../../../testing/redis-server.js';
import { connectRedisClients } from '../../../../testing/redis-clients.js';
import type { RedisClients } from './redis-clients.js';

describe('RedisClients', () => {
  let redis: TestRedis;
  let clients: RedisClients;

  beforeEach(async () => {
    redis = await startRedis();
    clients = await connectRedisClients(redis.url);
  });

  afterEach(async () => {
    await clients.close();
    await redis.stop();
  });

  it('settles room subscriptions once Redis has confirmed them', async () => {
    void clients.sub.ssubscribe('room-a');
    await clients.subscriptionsSettled();
    const [, count] = (await clients.command.call('PUBSUB', 'SHARDNUMSUB', 'room-a')) as [string, number];
    expect(count).toBe(1);
  });

  it('gives up waiting after the timeout while Redis is down, and nothing rejects unhandled', async () => {
    await redis.kill();
    void clients.sub.ssubscribe('room-b');
    const started = Date.now();
    await clients.subscriptionsSettled(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(clients.healthy).toBe(false);
  });
});

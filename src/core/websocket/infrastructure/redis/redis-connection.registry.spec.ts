import { describeConnectionRegistryContract } from '../../application/ports/connection-registry.contract.js';
import { startRedis, type TestRedis } from '../../../../testing/redis-server.js';
import { connectRedisClients } from '../../../../testing/redis-clients.js';
import type { RedisClients } from './redis-clients.js';
import { RedisConnectionRegistry } from './redis-connection.registry.js';

let redis: TestRedis;
let clients: RedisClients;

beforeAll(async () => {
  redis = await startRedis();
  clients = await connectRedisClients(redis.url);
});

afterAll(async () => {
  await clients?.close();
  await redis?.stop();
});

describeConnectionRegistryContract(
  'Redis',
  () => new RedisConnectionRegistry(clients),
  async () => {
    await clients.command.flushall();
  },
);

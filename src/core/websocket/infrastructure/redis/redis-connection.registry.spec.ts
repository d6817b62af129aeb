import { describeConnectionRegistryContract } from '../../application/ports/connection-registry.contract.js';
import { resolveWebsocketOptions } from '../../websocket.module-definition.js';
import { startRedis, type TestRedis } from '../../../../testing/redis-server.js';
import { RedisClients } from './redis-clients.js';
import { RedisConnectionRegistry } from './redis-connection.registry.js';

let redis: TestRedis;
let clients: RedisClients;

beforeAll(async () => {
  redis = await startRedis();
  clients = new RedisClients(resolveWebsocketOptions({ auth: { secret: 's' }, redis: { url: redis.url }, nodeId: 'spec' }));
  await clients.onModuleInit();
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

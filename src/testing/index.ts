export {
  TEST_JWT_SECRET,
  openClient,
  ready,
  serve,
  signTestToken,
  startTestApp,
  type ClientOptions,
  type Refusal,
  type TestAppOptions,
  type TestServer,
} from './test-server.js';
export { startTestCluster, type TestCluster } from './test-cluster.js';
export { collect, disconnected, eventually, nextEvent, request, settle } from './events.js';
export { freePort, startRedis, type TestRedis } from './redis-server.js';
export { connectRedisClients } from './redis-clients.js';

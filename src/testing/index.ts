// A Nest app needs the Reflect metadata API before the first decorator runs; a test
// script may import this kit first thing, before anything else loads it.
import 'reflect-metadata';

export {
  TEST_JWT_SECRET,
  connect,
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
export { collect, disconnected, eventually, nextEvent, request, settle, type KnownPushEvent, type KnownRequestEvent } from './events.js';
export {
  freePort,
  startRedis,
  startRedisCluster,
  type RedisClusterOptions,
  type TestRedis,
  type TestRedisCluster,
} from './redis-server.js';
export { clearRedisKeys, connectRedisClients, type RedisTarget } from './redis-clients.js';

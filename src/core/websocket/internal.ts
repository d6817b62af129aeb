// What the package's other entries (chat, presence, notifications, http,
// testing) and this repository's tests use of the core beyond its public API.
// Not an entry of the package: an app cannot import it.
export * from './index.js';
export { WEBSOCKET_OPTIONS } from './websocket.module-definition.js';
export type { ResolvedWebsocketOptions } from './websocket.options.js';
export { RealtimeGateway } from './api/gateway/websocket.gateway.js';
export { MessageRouter } from './application/services/message-router.service.js';
export { SessionService } from './application/services/session.service.js';
export { SocketServerHost, type RealtimeServer } from './application/services/socket-server.host.js';
export { ConnectionRegistry, type ConnectionEntry } from './application/ports/connection-registry.port.js';
export { InMemoryConnectionRegistry } from './infrastructure/memory/in-memory-connection.registry.js';
export { RedisClients } from './infrastructure/redis/redis-clients.js';
export { RedisConnectionRegistry } from './infrastructure/redis/redis-connection.registry.js';
export { NodeLiveness } from './infrastructure/cluster/node-liveness.service.js';
export { ShutdownDrainer } from './infrastructure/cluster/shutdown-drainer.service.js';
export { RealtimeMetrics } from './infrastructure/metrics/realtime-metrics.js';
export { TokenVerifier } from './application/ports/token-verifier.port.js';
export { JwtTokenVerifier } from './infrastructure/auth/jwt-token-verifier.js';
export { WsLoggingInterceptor } from './infrastructure/interceptors/ws-logging.interceptor.js';
export { messageValidationPipe, type ValidationIssue } from './infrastructure/pipes/message-validation.pipe.js';
export { toErrorBody } from './application/errors/error-body.js';
export { parseModuleOptions } from './domain/parse-options.js';
export { utf16String } from './domain/utf16-string.js';
export { KeyedQueue } from './domain/keyed-queue.js';
export { scopedKeyOf, splitScopedKey } from './domain/tenancy.js';
export { Outage } from './domain/outage.js';
export { assertDeepEqual, resolveSuiteRunner, type SuiteRunner } from './application/ports/suite-runner.js';

export { WebsocketModule } from './websocket.module.js';
export { WEBSOCKET_OPTIONS } from './websocket.module-definition.js';
export { defaultAlgorithmFor, JWT_ALGORITHMS, type HmacAlgorithm, type JwtAlgorithm, type ResolvedWebsocketOptions, type WebsocketModuleOptions } from './websocket.options.js';
export { RealtimeHandler, OnMessage } from './api/decorators/realtime-handler.decorator.js';
export { CurrentUser } from './api/decorators/current-user.decorator.js';
export { RealtimeGateway } from './api/gateway/websocket.gateway.js';
export { ConnectionManager } from './application/services/connection-manager.service.js';
export { MessageRouter } from './application/services/message-router.service.js';
export { RealtimeEmitter, type RealtimeTarget } from './application/services/realtime-emitter.service.js';
export { SessionService } from './application/services/session.service.js';
export { SocketServerHost, type RealtimeServer } from './application/services/socket-server.host.js';
export { ConnectionRegistry, type ConnectionEntry } from './application/ports/connection-registry.port.js';
export { InMemoryConnectionRegistry } from './infrastructure/memory/in-memory-connection.registry.js';
export { RedisIoAdapter } from './infrastructure/adapters/redis-io.adapter.js';
export { RedisClients } from './infrastructure/redis/redis-clients.js';
export { RedisConnectionRegistry } from './infrastructure/redis/redis-connection.registry.js';
export { NodeLiveness } from './infrastructure/cluster/node-liveness.service.js';
export { ShutdownDrainer } from './infrastructure/cluster/shutdown-drainer.service.js';
export { RealtimeMetrics } from './infrastructure/metrics/realtime-metrics.js';
export { TokenVerifier } from './infrastructure/auth/token-verifier.js';
export { WsJwtAuthGuard } from './infrastructure/guards/ws-jwt-auth.guard.js';
export { WsLoggingInterceptor } from './infrastructure/interceptors/ws-logging.interceptor.js';
export { messageValidationPipe, type ValidationIssue } from './infrastructure/pipes/message-validation.pipe.js';
export { ErrorCode } from './domain/errors/error-code.js';
export { RealtimeException } from './domain/errors/realtime.exception.js';
export { toErrorBody } from './domain/errors/error-body.js';
export { rooms } from './domain/rooms.js';
export { parseModuleOptions } from './domain/parse-options.js';
export { utf16String } from './domain/utf16-string.js';
export {
  defineContract,
  errorBodySchema,
  type ClientEventsOf,
  type PushContract,
  type PushPayload,
  type RealtimeContract,
  type ReplyData,
  type RequestBody,
  type RequestContract,
  type ServerEventsOf,
} from './domain/contract.js';
export { sessionContract } from './api/session.contract.js';
export { RealtimeEvents, type SessionRefreshedEvent, type UserConnectionEvent } from './domain/realtime-events.js';
export type {
  AuthenticatedUser,
  Envelope,
  ErrorBody,
  ExceptionEvent,
  RealtimeSocket,
  ServerToClientEvents,
  SessionReady,
  SocketData,
} from './domain/interfaces/websocket-events.interface.js';

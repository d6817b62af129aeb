export { WebsocketModule } from './websocket.module.js';
export {
  defaultAlgorithmFor,
  JWT_ALGORITHMS,
  type HmacAlgorithm,
  type JwtAlgorithm,
  type RedisConnectionOptions,
  type RedisSentinelOptions,
  type RedisUrlOptions,
  type WebsocketModuleOptions,
} from './websocket.options.js';
export { RedisIoAdapter } from './infrastructure/adapters/redis-io.adapter.js';
export { RealtimeHandler, OnMessage, type RealtimeHandlerOptions } from './api/decorators/realtime-handler.decorator.js';
export { CurrentUser } from './api/decorators/current-user.decorator.js';
// Handlers read their body and socket with Nest's own decorators; re-exported so an app needs no deep import for them.
export { ConnectedSocket, MessageBody } from '@nestjs/websockets';
export { RealtimeEmitter, type RealtimeTarget } from './application/services/realtime-emitter.service.js';
export { ConnectionManager } from './application/services/connection-manager.service.js';
export { WsJwtAuthGuard } from './infrastructure/guards/ws-jwt-auth.guard.js';
export { ErrorCode } from './domain/errors/error-code.js';
export { RealtimeException } from './application/errors/realtime.exception.js';
export { rooms } from './domain/rooms.js';
export { currentTenant, isTenant, runInTenant, scopedKey } from './domain/tenancy.js';
export {
  defineContract,
  errorBodySchema,
  type ClientEventsOf,
  type MergeContracts,
  type PushContract,
  type PushPayload,
  type RealtimeContract,
  type ReplyData,
  type RequestBody,
  type RequestContract,
  type ServerEventsOf,
} from './domain/contract.js';
export { sessionContract } from './api/session.contract.js';
export { RealtimeEvents, type PushesResumedEvent, type UserConnectionEvent } from './domain/realtime-events.js';
export type {
  AuthenticatedUser,
  Envelope,
  ErrorBody,
  ExceptionEvent,
  RealtimePushEvents,
  SessionReady,
  SocketData,
} from './domain/interfaces/websocket-events.interface.js';
export type { RealtimeSocket, SessionRefreshedEvent } from './application/interfaces/realtime-socket.interface.js';

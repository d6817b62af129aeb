import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SessionHandlers } from './api/handlers/session.handlers.js';
import { RealtimeGateway } from './api/gateway/websocket.gateway.js';
import { BodyValidator } from './application/ports/body-validator.port.js';
import { ConnectionRegistry } from './application/ports/connection-registry.port.js';
import { EventLog } from './application/ports/event-log.port.js';
import { EventMetrics } from './application/ports/event-metrics.port.js';
import { RoomSubscriptions } from './application/ports/room-subscriptions.port.js';
import { RetryableFailures } from './application/ports/retryable-failures.port.js';
import { TokenVerifier } from './application/ports/token-verifier.port.js';
import { ConnectionManager } from './application/services/connection-manager.service.js';
import { HandlerExplorer } from './application/services/handler-explorer.service.js';
import { MessageRouter } from './application/services/message-router.service.js';
import { RealtimeEmitter } from './application/services/realtime-emitter.service.js';
import { SessionService } from './application/services/session.service.js';
import { SocketServerHost } from './application/services/socket-server.host.js';
import { JwtTokenVerifier } from './infrastructure/auth/jwt-token-verifier.js';
import { WsAuthenticator } from './infrastructure/auth/ws-authenticator.js';
import { OutgoingBufferMonitor } from './infrastructure/backpressure/outgoing-buffer.monitor.js';
import { WsJwtAuthGuard } from './infrastructure/guards/ws-jwt-auth.guard.js';
import { WsLoggingInterceptor } from './infrastructure/interceptors/ws-logging.interceptor.js';
import { NodeLiveness } from './infrastructure/cluster/node-liveness.service.js';
import { RealtimeMetrics } from './infrastructure/metrics/realtime-metrics.js';
import { ShutdownDrainer } from './infrastructure/cluster/shutdown-drainer.service.js';
import { InMemoryConnectionRegistry } from './infrastructure/memory/in-memory-connection.registry.js';
import { messageValidationPipe } from './infrastructure/pipes/message-validation.pipe.js';
import { RedisClients } from './infrastructure/redis/redis-clients.js';
import { RedisConnectionRegistry } from './infrastructure/redis/redis-connection.registry.js';
import {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN,
  WEBSOCKET_OPTIONS,
  resolveWebsocketOptions,
} from './websocket.module-definition.js';

/**
 * The realtime core: one gateway, handshake authentication, the event router,
 * the connection manager and the emitter; with `redis` set, the cluster-wide
 * registry and node liveness too. Needs `EventEmitterModule.forRoot()` in the
 * app, and `RedisIoAdapter` as the app's WebSocket adapter.
 *
 * @example
 * WebsocketModule.forRoot({ auth: { secret: process.env.JWT_SECRET } })
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: WEBSOCKET_OPTIONS, useFactory: resolveWebsocketOptions, inject: [MODULE_OPTIONS_TOKEN] },
    { provide: RedisClients, useFactory: RedisClients.create, inject: [WEBSOCKET_OPTIONS] },
    {
      provide: ConnectionRegistry,
      useFactory: (redis: RedisClients) => (redis.enabled ? new RedisConnectionRegistry(redis) : new InMemoryConnectionRegistry()),
      inject: [RedisClients],
    },
    { provide: RoomSubscriptions, useExisting: RedisClients },
    { provide: RetryableFailures, useExisting: RedisClients },
    { provide: TokenVerifier, useClass: JwtTokenVerifier },
    { provide: EventMetrics, useExisting: RealtimeMetrics },
    { provide: EventLog, useExisting: WsLoggingInterceptor },
    // The very pipe `@RealtimeHandler()` applies: the direct invoker recognises it by identity.
    { provide: BodyValidator, useValue: messageValidationPipe },
    NodeLiveness,
    ShutdownDrainer,
    RealtimeMetrics,
    SocketServerHost,
    WsAuthenticator,
    OutgoingBufferMonitor,
    ConnectionManager,
    SessionService,
    HandlerExplorer,
    WsLoggingInterceptor,
    MessageRouter,
    RealtimeEmitter,
    WsJwtAuthGuard,
    SessionHandlers,
    RealtimeGateway,
  ],
  exports: [
    WEBSOCKET_OPTIONS,
    RealtimeMetrics,
    ShutdownDrainer,
    SocketServerHost,
    RedisClients,
    ConnectionRegistry,
    NodeLiveness,
    ConnectionManager,
    RealtimeEmitter,
    SessionService,
    WsJwtAuthGuard,
    MessageRouter,
  ],
})
export class WebsocketModule extends ConfigurableModuleClass {}

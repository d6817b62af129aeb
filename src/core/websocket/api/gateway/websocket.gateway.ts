import type { OnApplicationBootstrap } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import type { RealtimeSocket } from '../../application/interfaces/realtime-socket.interface.js';
import { ConnectionManager } from '../../application/services/connection-manager.service.js';
import { MessageRouter } from '../../application/services/message-router.service.js';
import { SessionService } from '../../application/services/session.service.js';
import { SocketServerHost, type RealtimeServer } from '../../application/services/socket-server.host.js';
import { incomingEvents } from '../../infrastructure/adapters/incoming-events.js';
import { isRealtimeServer } from '../../infrastructure/adapters/redis-io.adapter.js';
import { WsAuthenticator } from '../../infrastructure/auth/ws-authenticator.js';
import { OutgoingBufferMonitor } from '../../infrastructure/backpressure/outgoing-buffer.monitor.js';
import { missingAdapterMessage } from '../../websocket.messages.js';
import { runInTenant } from '../../domain/tenancy.js';

/**
 * The only gateway. It knows no feature: it authenticates (through the
 * handshake middleware), registers the socket, and hands every event to the
 * router. Its options come from the adapter, not from this decorator.
 */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnApplicationBootstrap {
  /** Where events enter: from now on, every event `socket` sends goes to `MessageRouter.dispatch`, and to nothing else. */
  private readonly routeEvents: (socket: RealtimeSocket) => void;

  constructor(
    private readonly host: SocketServerHost,
    private readonly authenticator: WsAuthenticator,
    private readonly connections: ConnectionManager,
    private readonly sessions: SessionService,
    router: MessageRouter,
    private readonly outgoing: OutgoingBufferMonitor,
  ) {
    const dispatch = (socket: RealtimeSocket, args: unknown[]): void => router.dispatch(socket, args);
    // Each event in its socket's tenant scope (no scope without tenants).
    this.routeEvents = incomingEvents((socket, args) => runInTenant(socket.data.user.tenant, dispatch, socket, args));
  }

  afterInit(server: RealtimeServer): void {
    this.host.attach(server);
    server.use(this.authenticator.middleware);
  }

  /** Fails start-up (an error thrown in `afterInit` would escape Nest as an unhandled one). */
  onApplicationBootstrap(): void {
    if (!isRealtimeServer(this.host.server)) throw new Error(missingAdapterMessage());
  }

  handleConnection(socket: RealtimeSocket): void {
    this.routeEvents(socket);
    this.outgoing.watch(socket);
    // session:ready tells the client it is reachable: only once its user room is subscribed on every node.
    void this.connections.register(socket).then(() => {
      if (socket.connected) this.sessions.start(socket);
    });
  }

  handleDisconnect(socket: RealtimeSocket): void {
    this.sessions.end(socket);
    void this.connections.unregister(socket);
  }
}

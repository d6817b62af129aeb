import type { OnApplicationBootstrap } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import { ConnectionManager } from '../../application/services/connection-manager.service.js';
import { MessageRouter } from '../../application/services/message-router.service.js';
import { SessionService } from '../../application/services/session.service.js';
import { SocketServerHost, type RealtimeServer } from '../../application/services/socket-server.host.js';
import type { RealtimeSocket } from '../../domain/interfaces/websocket-events.interface.js';
import { isRealtimeServer } from '../../infrastructure/adapters/redis-io.adapter.js';
import { WsAuthenticator } from '../../infrastructure/auth/ws-authenticator.js';
import { OutgoingBufferMonitor } from '../../infrastructure/backpressure/outgoing-buffer.monitor.js';
import { missingAdapterMessage } from '../../websocket.messages.js';

/**
 * The only gateway. It knows no feature: it authenticates (through the
 * handshake middleware), registers the socket, and hands every event to the
 * router. Its options come from the adapter, not from this decorator.
 */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnApplicationBootstrap {
  constructor(
    private readonly host: SocketServerHost,
    private readonly authenticator: WsAuthenticator,
    private readonly connections: ConnectionManager,
    private readonly sessions: SessionService,
    private readonly router: MessageRouter,
    private readonly outgoing: OutgoingBufferMonitor,
  ) {}

  afterInit(server: RealtimeServer): void {
    this.host.attach(server);
    server.use(this.authenticator.middleware);
  }

  /** Fails start-up (an error thrown in `afterInit` would escape Nest as an unhandled one). */
  onApplicationBootstrap(): void {
    if (!isRealtimeServer(this.host.server)) throw new Error(missingAdapterMessage());
  }

  handleConnection(socket: RealtimeSocket): void {
    this.router.attach(socket);
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

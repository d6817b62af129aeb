import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ConnectionManager } from '../../application/services/connection-manager.service.js';
import { SocketServerHost } from '../../application/services/socket-server.host.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { NodeLiveness } from './node-liveness.service.js';

/** Clients are asked to come back within this much, spread at random so they do not return at once. */
const MAX_RECONNECT_SPREAD_MS = 5000;

/**
 * Drains the node before the app closes: stop accepting connections, send
 * `server:shutdown { reconnectAfterMs }` to this node's sockets, give them up
 * to `shutdownGraceMs` to leave, disconnect the rest, and take the node's
 * entries out of the registry. Redis is closed after this, by its owner.
 */
@Injectable()
export class ShutdownDrainer implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private draining = false;

  constructor(
    private readonly host: SocketServerHost,
    private readonly connections: ConnectionManager,
    private readonly liveness: NodeLiveness,
    private readonly http: HttpAdapterHost,
    @Inject(WEBSOCKET_OPTIONS) private readonly options: ResolvedWebsocketOptions,
  ) {}

  /** True from the start of a drain: new handshakes are refused. */
  get isDraining(): boolean {
    return this.draining;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.draining || !this.host.started) return;
    this.draining = true;
    const server = this.host.server;
    const sockets = server.of('/').sockets;
    this.logger.log(`Draining ${sockets.size} sockets for up to ${this.options.shutdownGraceMs} ms`);
    this.http.httpAdapter?.getHttpServer()?.close?.();

    const spread = Math.min(this.options.shutdownGraceMs / 2, MAX_RECONNECT_SPREAD_MS);
    for (const socket of sockets.values()) {
      socket.emit('server:shutdown', { reconnectAfterMs: Math.floor(Math.random() * spread) });
    }
    const deadline = Date.now() + this.options.shutdownGraceMs;
    while (sockets.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    if (sockets.size > 0) {
      this.logger.log(`${sockets.size} sockets still connected after the grace period: disconnecting them`);
      server.local.disconnectSockets(true);
    }
    await this.liveness.leave();
    try {
      await this.connections.leaveCluster();
    } catch (error) {
      this.logger.warn(`Could not remove this node from the registry: ${(error as Error).message}`);
    }
    this.logger.log('Drained');
  }
}

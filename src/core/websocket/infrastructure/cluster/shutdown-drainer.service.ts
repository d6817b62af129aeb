import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ConnectionManager } from '../../application/services/connection-manager.service.js';
import { SocketServerHost } from '../../application/services/socket-server.host.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { NodeLiveness } from './node-liveness.service.js';

/**
 * The rate at which a draining node's clients are asked to arrive elsewhere:
 * a share of what one node takes (about 2,000 handshakes a second on one
 * core of a quiet host, 500 to 900 on a busy one, `npm run bench:scale`), so
 * a node taking over does not queue them past the offline grace. Several
 * nodes taking over only make it safer.
 */
const RECONNECTS_PER_SECOND = 1000;
/** Left at the end of the grace period for the last client's handshake elsewhere. */
const HANDSHAKE_ROOM_MS = 2000;

/**
 * Over how long `sockets` clients are asked to come back (each one told a
 * random delay below it): long enough to arrive at `RECONNECTS_PER_SECOND`,
 * and short enough that the last has `HANDSHAKE_ROOM_MS` (or half the grace,
 * when that is longer) before the grace period ends.
 */
export function reconnectSpreadMs(sockets: number, shutdownGraceMs: number): number {
  const latest = Math.max(shutdownGraceMs / 2, shutdownGraceMs - HANDSHAKE_ROOM_MS);
  return Math.min(latest, (sockets * 1000) / RECONNECTS_PER_SECOND);
}

/**
 * The shortest grace period that lets `sockets` clients arrive elsewhere at
 * `RECONNECTS_PER_SECOND`; a shorter one sends them faster (15,000 in the
 * default 10 s: over 8 s, 1,875 a second).
 */
export function pacedGraceMs(sockets: number): number {
  const spread = Math.ceil((sockets * 1000) / RECONNECTS_PER_SECOND);
  return Math.min(2 * spread, spread + HANDSHAKE_ROOM_MS);
}

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

    const spread = reconnectSpreadMs(sockets.size, this.options.shutdownGraceMs);
    // Fewer than a second's worth reach a node well inside the offline grace, however fast they come.
    if (sockets.size > RECONNECTS_PER_SECOND && this.options.shutdownGraceMs < pacedGraceMs(sockets.size)) {
      const pace = spread > 0 ? `over ${Math.round(spread)} ms (${Math.round((sockets.size * 1000) / spread)} a second)` : 'at once';
      this.logger.warn(
        `Sending ${sockets.size} sockets elsewhere ${pace}, faster than the drain's pace of ${RECONNECTS_PER_SECOND} a second: ` +
          `the nodes taking them over may hold some past the presence offline grace. ` +
          `A shutdown grace of ${pacedGraceMs(sockets.size)} ms (shutdownGraceMs) would keep the pace`,
      );
    }
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

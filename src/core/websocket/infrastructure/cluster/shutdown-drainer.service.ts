import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ConnectionManager } from '../../application/services/connection-manager.service.js';
import { SocketServerHost } from '../../application/services/socket-server.host.js';
import type { RealtimeSocket } from '../../application/interfaces/realtime-socket.interface.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { NodeLiveness } from './node-liveness.service.js';

/**
 * The rate at which a draining node's clients are asked to arrive elsewhere
 * when it cannot see them arrive (no Redis, or the registry unreadable): a
 * share of what one node takes (about 2,000 handshakes a second on one core
 * of a quiet host, 600 to 1,200 on a busy one, `npm run bench:scale`), so a
 * node taking over does not queue them past the offline grace. Several nodes
 * taking over only make it safer.
 */
const RECONNECTS_PER_SECOND = 1000;
/** Left at the end of the grace period for the last client's handshake elsewhere. */
const HANDSHAKE_ROOM_MS = 2000;
/**
 * Through Redis, a draining node's clients on their way to the other nodes at
 * once, at most: one more is told as each arrives, so they come as fast as
 * the other nodes admit them (5,000 a second if a move takes 100 ms). The
 * nodes taking them over never queue more than this many, which stays inside
 * Node's default listen backlog (511) and takes well under the offline grace.
 */
const MOVING_AT_ONCE = 500;
/** How often a draining node looks for its moving clients on the other nodes, and tells more. */
const PACE_TICK_MS = 100;
/** A told client not seen on another node by then stops holding a place (it went away, or ignores `server:shutdown`). */
const MOVE_GIVEN_UP_MS = 5000;

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
 *
 * Through Redis the clients are told a few at a time, as fast as the other
 * nodes admit them (`MOVING_AT_ONCE`); those still here `HANDSHAKE_ROOM_MS`
 * before the grace ends are told to keep coming at that rate, even past the
 * end. On one node, or when the registry cannot be read, they are told over
 * a spread (`reconnectSpreadMs`).
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
    const sockets = server.of('/').sockets as Map<string, RealtimeSocket>;
    const grace = this.options.shutdownGraceMs;
    const deadline = Date.now() + grace;
    this.logger.log(`Draining ${sockets.size} sockets for up to ${grace} ms`);
    this.http.httpAdapter?.getHttpServer()?.close?.();

    if (this.options.redis !== undefined) await this.paceByArrivals([...sockets.values()], deadline);
    else this.spread([...sockets.values()], grace);
    while (sockets.size > 0 && Date.now() < deadline) await sleep(25);
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

  /**
   * Tells `sockets` to move, keeping at most `MOVING_AT_ONCE` on their way:
   * one that has left and arrived on another node (the registry has its user
   * there), or is given up on, makes room for the next. When the grace is
   * about to end, tells the rest to come at the rate the other nodes took;
   * when the registry cannot be read, over a spread.
   */
  private async paceByArrivals(sockets: RealtimeSocket[], deadline: number): Promise<void> {
    const started = Date.now();
    const lastCall = deadline - Math.min(HANDSHAKE_ROOM_MS, (deadline - started) / 2);
    const moving = new Map<RealtimeSocket, number>();
    let next = 0;
    let arrived = 0;
    const untold = () => sockets.slice(next).filter((socket) => socket.connected);
    for (;;) {
      const now = Date.now();
      for (const [socket, toldAt] of moving) if (now - toldAt > MOVE_GIVEN_UP_MS) moving.delete(socket);
      // Only those that have left can have arrived elsewhere.
      const left = [...moving.keys()].filter((socket) => !socket.connected);
      if (left.length > 0) {
        let found: RealtimeSocket[];
        try {
          found = await this.connections.elsewhere(left);
        } catch (error) {
          this.logger.warn(`Could not see where the moving clients arrived (${(error as Error).message}): telling the rest over a spread`);
          this.spread(untold(), Math.max(0, deadline - Date.now()));
          return;
        }
        for (const socket of found) moving.delete(socket);
        arrived += found.length;
      }
      if (next >= sockets.length) return;
      if (Date.now() >= lastCall) break;
      for (; next < sockets.length && moving.size < MOVING_AT_ONCE; next++) {
        const socket = sockets[next]!;
        if (!socket.connected) continue;
        socket.emit('server:shutdown', { reconnectAfterMs: Math.floor(Math.random() * PACE_TICK_MS) });
        moving.set(socket, Date.now());
      }
      await sleep(PACE_TICK_MS);
    }
    const rest = untold();
    // A grace of 0 asks for no drain: all at once, and nothing to say.
    if (deadline <= started) {
      for (const socket of rest) socket.emit('server:shutdown', { reconnectAfterMs: 0 });
      return;
    }
    if (rest.length === 0) return;
    // The rest keep arriving at the rate the other nodes took, each after a delay of its own: those due after the
    // grace are disconnected at its end and come back when their delay is up. A burst would overflow the other nodes.
    const rate = arrived > 0 ? (arrived * 1000) / Math.max(1, Date.now() - started) : RECONNECTS_PER_SECOND;
    this.logger.warn(
      `${rest.length} of ${sockets.length} sockets were still here ${Math.round(deadline - Date.now())} ms before the end of the shutdown grace: ` +
        `telling them to move over the next ${Math.round((rest.length * 1000) / rate)} ms, at ${Math.round(rate)} a second ` +
        `(${arrived > 0 ? 'what the other nodes took' : "the drain's pace: none was seen arriving"}). ` +
        `A grace of ${Math.ceil((sockets.length * 1000) / rate) + HANDSHAKE_ROOM_MS} ms (shutdownGraceMs) would have let all move within it`,
    );
    rest.forEach((socket, index) => socket.emit('server:shutdown', { reconnectAfterMs: Math.floor((index * 1000) / rate) }));
  }

  /** Tells `sockets` to move, each after a random delay below `reconnectSpreadMs`; warns when that is faster than the drain's pace. */
  private spread(sockets: RealtimeSocket[], graceMs: number): void {
    const spread = reconnectSpreadMs(sockets.length, graceMs);
    const paced = pacedGraceMs(sockets.length);
    // Fewer than a second's worth reach a node well inside the offline grace, however fast they come.
    if (sockets.length > RECONNECTS_PER_SECOND && graceMs < paced) {
      const pace = spread > 0 ? `over ${Math.round(spread)} ms (${Math.round((sockets.length * 1000) / spread)} a second)` : 'at once';
      this.logger.warn(
        `Sending ${sockets.length} sockets elsewhere ${pace}, faster than the drain's pace of ${RECONNECTS_PER_SECOND} a second: ` +
          `the nodes taking them over may hold some past the presence offline grace. ` +
          `A shutdown grace of ${paced} ms (shutdownGraceMs) would keep the pace`,
      );
    }
    for (const socket of sockets) socket.emit('server:shutdown', { reconnectAfterMs: Math.floor(Math.random() * spread) });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

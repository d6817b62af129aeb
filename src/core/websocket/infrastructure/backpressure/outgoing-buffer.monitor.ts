import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RealtimeSocket } from '../../application/interfaces/realtime-socket.interface.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { RealtimeMetrics } from '../metrics/realtime-metrics.js';

/** The parts of an Engine.IO socket the monitor reads (engine.io 6 keeps them public but untyped in places). */
interface EngineConnection {
  readyState: string;
  /** Packets waiting for the transport; emptied by each flush to it. */
  writeBuffer: readonly unknown[];
  transport: { name: string; writable: boolean; socket?: { bufferedAmount?: number; terminate?: () => void } };
  on(event: 'packetCreate', listener: (packet: { data?: unknown }) => void): void;
  off(event: string, listener: (...args: any[]) => void): void;
  close(discard?: boolean): void;
}

/** What the monitor keeps on each connection it watches: bytes queued since the last flush, and its socket. */
const QUEUED = Symbol('realtime.outgoingQueued');
const OWNER = Symbol('realtime.outgoingOwner');
interface Watched extends EngineConnection {
  [QUEUED]: number;
  [OWNER]: RealtimeSocket;
  on(event: 'packetCreate', listener: (this: Watched, packet: { data?: unknown }) => void): void;
}

/**
 * Disconnects a client that stops reading once what waits to be sent to it
 * passes `maxOutgoingBufferBytes`. Engine.IO queues a connection's packets
 * while its transport is busy, and the WebSocket buffers what the kernel does
 * not take: neither is bounded, so a reader that stalls (or a peer that
 * advertises a zero window on purpose) would grow the server's memory with
 * every message to its rooms. Counted per packet as it is queued: O(1), no timer.
 * A transport that is writable has handed everything before to the kernel, so
 * the WebSocket's own buffer is only read while the transport is busy.
 */
@Injectable()
export class OutgoingBufferMonitor {
  private readonly logger = new Logger('OutgoingBuffer');
  private readonly limit: number;

  constructor(
    private readonly metrics: RealtimeMetrics,
    @Inject(WEBSOCKET_OPTIONS) options: ResolvedWebsocketOptions,
  ) {
    this.limit = options.maxOutgoingBufferBytes;
  }

  watch(socket: RealtimeSocket): void {
    const conn = socket.conn as unknown as Watched;
    conn[QUEUED] = 0;
    conn[OWNER] = socket;
    conn.on('packetCreate', this.onPacket);
  }

  /**
   * One listener for every connection (Engine.IO calls it with the connection
   * as `this`), its count kept on the connection: no closure per socket.
   */
  private readonly onPacket = ((monitor: OutgoingBufferMonitor) =>
    function onPacket(this: Watched, packet: { data?: unknown }): void {
      // Emitted before the packet joins the buffer: an empty one was flushed since the last packet.
      if (this.writeBuffer.length === 0) this[QUEUED] = 0;
      const queued = (this[QUEUED] += sizeOf(packet.data));
      if (queued <= monitor.limit && this.transport.writable) return;
      const pending = queued + (this.transport.socket?.bufferedAmount ?? 0);
      if (pending <= monitor.limit) return;
      this.off('packetCreate', monitor.onPacket);
      monitor.cut(this[OWNER], this, pending);
    })(this);

  /**
   * Drops the connection at once. A polite close would wait for the queue to
   * drain, which is the one thing a stalled reader never lets happen; the
   * WebSocket is terminated so its buffer is freed now, not after the closing
   * handshake times out.
   */
  private cut(socket: RealtimeSocket, conn: EngineConnection, pending: number): void {
    this.metrics.slowConsumer();
    this.logger.warn(
      `Disconnecting a client that stopped reading: socket ${socket.id} of ${socket.data.user?.userId} had ${pending} bytes waiting (limit ${this.limit})`,
    );
    const ws = conn.transport.socket;
    if (conn.transport.name === 'websocket' && typeof ws?.terminate === 'function') ws.terminate();
    else conn.close(true);
  }
}

/** Text is queued as JS strings (about a byte or two per UTF-16 unit); binary as buffers. */
function sizeOf(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

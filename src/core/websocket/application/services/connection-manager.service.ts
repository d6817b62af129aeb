import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { RealtimeEvents, type UserConnectionEvent } from '../../domain/realtime-events.js';
import { rooms } from '../../domain/rooms.js';
import type { RealtimeSocket } from '../../domain/interfaces/websocket-events.interface.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { ConnectionRegistry, type ConnectionEntry } from '../ports/connection-registry.port.js';
import { SocketServerHost } from './socket-server.host.js';

/**
 * Knows every user's sockets across tabs, devices and nodes. A socket is
 * admitted during the handshake (so the per-user cap is exact), joins its
 * user room when connected, and is removed on disconnect. The user's first
 * and last socket anywhere raise `realtime.user.connected` / `.disconnected`.
 */
@Injectable()
export class ConnectionManager {
  private readonly logger = new Logger(ConnectionManager.name);
  /** Admitted sockets not connected yet, with the hook that gives their place back if the transport closes first. */
  private readonly pending = new WeakMap<RealtimeSocket, () => void>();

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly host: SocketServerHost,
    private readonly events: EventEmitter2,
    @Inject(WEBSOCKET_OPTIONS) private readonly options: ResolvedWebsocketOptions,
  ) {}

  /** Counts the socket against its user's cap; false when the cap is reached. */
  async admit(socket: RealtimeSocket): Promise<boolean> {
    const { admitted, count } = await this.registry.add(this.entryOf(socket), this.options.maxConnectionsPerUser);
    if (!admitted) return false;
    if (count === 1) this.publish(RealtimeEvents.userConnected, socket.data.user.userId);
    // A transport that closes before Socket.IO connects the socket brings no
    // disconnect event, so the place is given back when the transport closes.
    const release = (): void => {
      this.pending.delete(socket);
      void this.unregister(socket);
    };
    this.pending.set(socket, release);
    socket.conn.once('close', release);
    return true;
  }

  /** A connected socket joins its user's room, through which every push to the user travels. */
  register(socket: RealtimeSocket): void {
    const release = this.pending.get(socket);
    if (release) {
      socket.conn.off('close', release);
      this.pending.delete(socket);
    }
    socket.join(rooms.user(socket.data.user.userId));
  }

  /** Idempotent: a socket that never finished connecting and then disconnected is removed once. */
  async unregister(socket: RealtimeSocket): Promise<void> {
    if (!socket.data.user) return;
    try {
      const { removed, count } = await this.registry.remove(this.entryOf(socket));
      if (removed && count === 0) this.publish(RealtimeEvents.userDisconnected, socket.data.user.userId);
    } catch (error) {
      this.logger.error(`Could not unregister socket ${socket.id}`, (error as Error).stack);
    }
  }

  /** The user's sockets on every node. */
  getSockets(userId: string): Promise<ConnectionEntry[]> {
    return this.registry.socketsOf(userId);
  }

  /** True while the user has a socket anywhere. */
  async isOnline(userId: string): Promise<boolean> {
    return (await this.registry.countOf(userId)) > 0;
  }

  /** Sockets connected on every node. */
  countConnections(): Promise<number> {
    return this.registry.countAll();
  }

  /** Closes every socket of the user, on every node. */
  disconnectUser(userId: string): void {
    this.host.server.in(rooms.user(userId)).disconnectSockets(true);
  }

  private entryOf(socket: RealtimeSocket): ConnectionEntry {
    return { socketId: socket.id, userId: socket.data.user.userId, nodeId: this.options.nodeId };
  }

  private publish(event: string, userId: string): void {
    const payload: UserConnectionEvent = { userId, at: Date.now() };
    this.events.emit(event, payload);
  }
}

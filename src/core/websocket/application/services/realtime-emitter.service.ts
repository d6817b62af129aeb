import { Injectable } from '@nestjs/common';
import type { BroadcastOperator } from 'socket.io';
import { rooms } from '../../domain/rooms.js';
import type { ServerToClientEvents, SocketData } from '../../domain/interfaces/websocket-events.interface.js';
import { SocketServerHost } from './socket-server.host.js';

export type RealtimeTarget = BroadcastOperator<ServerToClientEvents, SocketData>;

/**
 * The only way application code pushes to clients. Every target is a room, so
 * delivery reaches the right sockets on every node through the adapter.
 *
 * @example
 * this.emitter.toUser(userId).emit('notification', notification);
 */
@Injectable()
export class RealtimeEmitter {
  constructor(private readonly host: SocketServerHost) {}

  /** Every socket of the user, on every node. */
  toUser(userId: string): RealtimeTarget {
    return this.host.server.to(rooms.user(userId));
  }

  /** Every socket in a room named by `rooms.*`. */
  toRoom(room: string): RealtimeTarget {
    return this.host.server.to(room);
  }

  /** One socket, wherever it is connected. */
  toSocket(socketId: string): RealtimeTarget {
    return this.host.server.to(socketId);
  }
}

import { Injectable } from '@nestjs/common';
import type { BroadcastOperator } from 'socket.io';
import { rooms } from '../../domain/rooms.js';
import type { RealtimePushEvents, SocketData } from '../../domain/interfaces/websocket-events.interface.js';
import { SocketServerHost } from './socket-server.host.js';

export type RealtimeTarget = BroadcastOperator<RealtimePushEvents, SocketData>;

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

  /** Every socket in a room, named by its owner's helper (`rooms.user`, the chat module's `chatRoom`, ...). */
  toRoom(room: string): RealtimeTarget {
    return this.host.server.to(room);
  }

  /**
   * Only this node's sockets in a room. For restating state to them after
   * this node missed pushes (`RealtimeEvents.pushesResumed`); a change goes
   * through `toRoom`, which reaches every node.
   */
  toLocalRoom(room: string): RealtimeTarget {
    return this.host.server.local.to(room);
  }

  /** The rooms that hold at least one socket of this node (socket ids included). */
  localRooms(): IterableIterator<string> {
    return this.host.server.of('/').adapter.rooms.keys();
  }

  /** One socket, wherever it is connected. */
  toSocket(socketId: string): RealtimeTarget {
    return this.host.server.to(socketId);
  }
}

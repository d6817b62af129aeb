import { Injectable } from '@nestjs/common';
import { rooms, type RealtimeSocket } from '../../src/core/websocket/index.js';

/** Who may react in a room: a port, so an app can decide from its own data. */
export abstract class ReactionPolicy {
  abstract canReact(socket: RealtimeSocket, roomId: string): boolean | Promise<boolean>;
}

/** The default: a socket reacts in the chat rooms it has joined (so the room's access policy already said yes). */
@Injectable()
export class JoinedRoomReactionPolicy extends ReactionPolicy {
  canReact(socket: RealtimeSocket, roomId: string): boolean {
    return socket.rooms.has(rooms.chat(roomId));
  }
}

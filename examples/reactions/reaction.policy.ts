import { Injectable } from '@nestjs/common';
import type { RealtimeSocket } from 'nest-realtime';
import { chatRoom } from 'nest-realtime/chat';

/** Who may react in a room: a port, so an app can decide from its own data. */
export abstract class ReactionPolicy {
  abstract canReact(socket: RealtimeSocket, roomId: string): boolean | Promise<boolean>;
}

/** The default: a socket reacts in the chat rooms it has joined (so the room's access policy already said yes). */
@Injectable()
export class JoinedRoomReactionPolicy extends ReactionPolicy {
  canReact(socket: RealtimeSocket, roomId: string): boolean {
    return socket.rooms.has(chatRoom(roomId));
  }
}

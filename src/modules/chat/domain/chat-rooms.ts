import { rooms } from '../../../core/websocket/index.js';

/** What `rooms.chat(id)` puts before the id; derived from the helper so the two can never disagree. */
const CHAT_ROOM_PREFIX = rooms.chat('');

/** A room id: 1 to 64 characters of `[A-Za-z0-9_.-]`. */
export const ROOM_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The chat room ids among a socket's Socket.IO rooms (`socket.rooms`), which
 * also hold the socket's own id and its user room. Socket.IO is the one record
 * of membership: no second map to drift from it, on this node or any other.
 */
export function chatRoomIdsOf(socketRooms: Iterable<string>): string[] {
  const ids: string[] = [];
  for (const room of socketRooms) {
    if (!room.startsWith(CHAT_ROOM_PREFIX)) continue;
    const roomId = room.slice(CHAT_ROOM_PREFIX.length);
    if (ROOM_ID.test(roomId) && rooms.chat(roomId) === room) ids.push(roomId);
  }
  return ids;
}

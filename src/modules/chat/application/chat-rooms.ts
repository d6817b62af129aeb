import { scopedKey } from '../../../core/websocket/internal.js';

/** What every chat room's Socket.IO name starts with: apart from the core's `user:` rooms, socket ids and other features' rooms. */
const CHAT_ROOM_PREFIX = 'chat:';

/** A room id: 1 to 64 characters of `[A-Za-z0-9_.-]`. */
export const ROOM_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The Socket.IO room of one chat room's members: the only place the chat
 * module names its rooms, scoped to the current tenant. An app pushes to a
 * chat room through it.
 *
 * @example
 * emitter.toRoom(chatRoom('lobby')).emit('reactions:updated', change);
 */
export function chatRoom(roomId: string): string {
  return `${CHAT_ROOM_PREFIX}${scopedKey(roomId)}`;
}

/**
 * The chat room ids among a socket's Socket.IO rooms (`socket.rooms`), which
 * also hold the socket's own id and its user room. Socket.IO is the one record
 * of membership: no second map to drift from it, on this node or any other.
 */
export function chatRoomIdsOf(socketRooms: Iterable<string>): string[] {
  const ids: string[] = [];
  // The socket's own tenant's rooms: a socket is in no other.
  const prefix = chatRoom('');
  for (const room of socketRooms) {
    if (!room.startsWith(prefix)) continue;
    const roomId = room.slice(prefix.length);
    if (ROOM_ID.test(roomId)) ids.push(roomId);
  }
  return ids;
}

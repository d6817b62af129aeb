import { scopedKey } from '../../../core/websocket/internal.js';

/**
 * The Socket.IO room of the sockets watching one user's presence: the only
 * place the presence module names its rooms, scoped to the current tenant.
 * Its prefix keeps it apart from the core's `user:` rooms, other features'
 * rooms and socket ids.
 */
export function presenceRoom(userId: string): string {
  return `${PREFIX}${scopedKey(userId)}`;
}

/** The presence key (the user id scoped to its tenant) a presence room watches, or undefined for any other room. */
export function watchedUserOf(room: string): string | undefined {
  return room.startsWith(PREFIX) ? room.slice(PREFIX.length) : undefined;
}

const PREFIX = 'presence:';

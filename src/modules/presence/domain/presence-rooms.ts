/**
 * The Socket.IO room of the sockets watching one user's presence: the only
 * place the presence module names its rooms. Its prefix keeps it apart from
 * the core's `user:` rooms, other features' rooms and socket ids.
 */
export function presenceRoom(userId: string): string {
  return `${PREFIX}${userId}`;
}

/** The user a presence room watches, or undefined for any other room. */
export function watchedUserOf(room: string): string | undefined {
  return room.startsWith(PREFIX) ? room.slice(PREFIX.length) : undefined;
}

const PREFIX = 'presence:';

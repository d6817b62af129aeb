/**
 * The only place room names are built. Clients never name rooms: they join
 * through feature events, and the prefixes keep feature rooms from colliding
 * with each other and with socket ids.
 */
export const rooms = {
  /** Every socket of one user, on every node. */
  user: (userId: string): string => `user:${userId}`,
  /** The members of one chat room. */
  chat: (roomId: string): string => `chat:${roomId}`,
  /** The sockets watching one user's presence. */
  presence: (userId: string): string => `presence:${userId}`,
};

import { scopedKey } from './tenancy.js';

/**
 * The core's room names. Clients never name rooms: they join through feature
 * events. Each feature names its own rooms with its own prefix (`chatRoom` in
 * the chat module, `presenceRoom` in presence), which keeps them from
 * colliding with each other, with `user:` rooms and with socket ids, and
 * scopes the id with `scopedKey`, which keeps tenants apart.
 */
export const rooms = {
  /** Every socket of one user (of the current tenant), on every node. */
  user: (userId: string): string => `user:${scopedKey(userId)}`,
};

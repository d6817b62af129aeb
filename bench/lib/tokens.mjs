// Tokens for the bench users: HS256, an hour long, access to every chat room.
// An invalid token is well formed and signed with another secret, so the
// server pays for a full signature check before it refuses it.
import jwt from 'jsonwebtoken';

export const SECRET = 'bench-secret-7c0f3a51e2d94b8a9f6e1d2c3b4a5968';
const WRONG_SECRET = 'not-the-bench-secret-00000000000000000000000';

const cache = new Map();

export function tokenFor(userId, { valid = true } = {}) {
  const key = `${valid ? 'v' : 'x'}:${userId}`;
  let token = cache.get(key);
  if (!token) {
    token = jwt.sign({ sub: userId, rooms: ['*'] }, valid ? SECRET : WRONG_SECRET, { algorithm: 'HS256', expiresIn: '2h' });
    cache.set(key, token);
  }
  return token;
}

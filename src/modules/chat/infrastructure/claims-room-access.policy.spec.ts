import type { AuthenticatedUser } from '../../../core/websocket/index.js';
import { describeRoomAccessPolicyContract } from '../ports/room-access-policy.suite.js';
import { ClaimsRoomAccessPolicy } from './claims-room-access.policy.js';

const user = (claims: Record<string, unknown>): AuthenticatedUser => ({ userId: 'ann', claims: { sub: 'ann', ...claims }, expiresAt: 0 });

describeRoomAccessPolicyContract('ClaimsRoomAccessPolicy', () => ({
  policy: new ClaimsRoomAccessPolicy(),
  allowed: { user: user({ rooms: ['a', 'b'] }), roomId: 'b' },
  refused: { user: user({ rooms: ['a', 'b'] }), roomId: 'c' },
}));

describe('ClaimsRoomAccessPolicy', () => {
  const policy = new ClaimsRoomAccessPolicy();

  it('allows exactly the rooms the rooms claim lists', () => {
    expect(policy.canAccess(user({ rooms: ['a', 'b.c'] }), 'a')).toBe(true);
    expect(policy.canAccess(user({ rooms: ['a', 'b.c'] }), 'b.c')).toBe(true);
    expect(policy.canAccess(user({ rooms: ['a', 'b.c'] }), 'A')).toBe(false);
    expect(policy.canAccess(user({ rooms: ['a'] }), 'ab')).toBe(false);
  });

  it('allows every room with "*"', () => {
    expect(policy.canAccess(user({ rooms: ['*'] }), 'anything-at-all')).toBe(true);
  });

  it('allows no room without the claim, or with a claim that is not an array', () => {
    expect(policy.canAccess(user({}), 'a')).toBe(false);
    expect(policy.canAccess(user({ rooms: [] }), 'a')).toBe(false);
    expect(policy.canAccess(user({ rooms: 'a' }), 'a')).toBe(false);
    expect(policy.canAccess(user({ rooms: '*' }), 'a')).toBe(false);
    expect(policy.canAccess(user({ rooms: { a: true } }), 'a')).toBe(false);
  });
});

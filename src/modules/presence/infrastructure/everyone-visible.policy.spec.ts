import { describe, expect, it } from '@jest/globals';
import type { AuthenticatedUser } from '../../../core/websocket/index.js';
import { describePresenceVisibilityPolicyContract } from '../ports/presence-visibility-policy.suite.js';
import { EveryoneVisiblePolicy } from './everyone-visible.policy.js';

const user = (userId: string, claims: Record<string, unknown> = {}): AuthenticatedUser => ({
  userId,
  claims: { sub: userId, ...claims },
  expiresAt: 0,
});

// The default hides no one, so its fixture has no hidden case.
describePresenceVisibilityPolicyContract('EveryoneVisiblePolicy', () => ({
  policy: new EveryoneVisiblePolicy(),
  visible: { viewer: user('ann', { contacts: [] }), userId: 'bob' },
}));

describe('EveryoneVisiblePolicy', () => {
  const policy = new EveryoneVisiblePolicy();

  it('shows every user to every viewer, themselves included, whatever the claims say', () => {
    expect(policy.canSee(user('ann'), 'bob')).toBe(true);
    expect(policy.canSee(user('ann'), 'ann')).toBe(true);
    expect(policy.canSee(user('ann', { contacts: [] }), 'x'.repeat(128))).toBe(true);
  });
});

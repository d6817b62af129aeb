import assert from 'node:assert/strict';
import type { AuthenticatedUser } from '../../../core/websocket/index.js';
// The runner plumbing is the core's, shared by every module's port suites.
import { assertDeepEqual, resolveSuiteRunner, type SuiteRunner } from '../../../core/websocket/internal.js';
import type { RoomAccessPolicy } from './room-access-policy.port.js';

export type { SuiteRunner };

/** A policy with one case it allows and one it refuses. */
export interface RoomAccessPolicyFixture {
  policy: RoomAccessPolicy;
  allowed: { user: AuthenticatedUser; roomId: string };
  refused: { user: AuthenticatedUser; roomId: string };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * What the chat module relies on from any `RoomAccessPolicy`, the default or
 * an app's own: an exact boolean, the same answer when asked again, and no
 * change to the user it is shown. Outside Jest, pass the runner's functions last.
 *
 * @example
 * const fixture = () => ({ policy: new MembershipPolicy(members), allowed: { user: ann, roomId: 'a' }, refused: { user: ann, roomId: 'b' } });
 * // Jest (globals):
 * describeRoomAccessPolicyContract('MembershipPolicy', fixture);
 * // node:test:
 * import { describe, it, beforeEach, afterEach } from 'node:test';
 * describeRoomAccessPolicyContract('MembershipPolicy', fixture, { describe, it, beforeEach, afterEach });
 */
export function describeRoomAccessPolicyContract(
  name: string,
  factory: () => RoomAccessPolicyFixture | Promise<RoomAccessPolicyFixture>,
  runner?: SuiteRunner,
): void {
  const { describe, it } = resolveSuiteRunner(runner);
  describe(`RoomAccessPolicy contract: ${name}`, () => {
    it('answers true for the allowed case and false for the refused one', async () => {
      const { policy, allowed, refused } = await factory();
      assert.equal(await policy.canAccess(allowed.user, allowed.roomId), true);
      assert.equal(await policy.canAccess(refused.user, refused.roomId), false);
    });

    it('gives the same answer when asked again', async () => {
      const { policy, allowed, refused } = await factory();
      for (let i = 0; i < 3; i++) {
        assert.equal(await policy.canAccess(allowed.user, allowed.roomId), true);
        assert.equal(await policy.canAccess(refused.user, refused.roomId), false);
      }
    });

    it('does not change the user it is asked about', async () => {
      const { policy, allowed, refused } = await factory();
      const snapshot = structuredClone([allowed.user, refused.user]);
      await policy.canAccess(deepFreeze(allowed.user), allowed.roomId);
      await policy.canAccess(deepFreeze(refused.user), refused.roomId);
      assertDeepEqual([allowed.user, refused.user], snapshot);
    });
  });
}

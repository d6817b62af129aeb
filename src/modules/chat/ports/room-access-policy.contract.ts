import { describe, expect, it } from '@jest/globals';
import type { AuthenticatedUser } from '../../../core/websocket/index.js';
import type { RoomAccessPolicy } from './room-access-policy.port.js';

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
 * change to the user it is shown.
 */
export function describeRoomAccessPolicyContract(name: string, factory: () => RoomAccessPolicyFixture | Promise<RoomAccessPolicyFixture>): void {
  describe(`RoomAccessPolicy contract: ${name}`, () => {
    it('answers true for the allowed case and false for the refused one', async () => {
      const { policy, allowed, refused } = await factory();
      await expect(Promise.resolve(policy.canAccess(allowed.user, allowed.roomId))).resolves.toBe(true);
      await expect(Promise.resolve(policy.canAccess(refused.user, refused.roomId))).resolves.toBe(false);
    });

    it('gives the same answer when asked again', async () => {
      const { policy, allowed, refused } = await factory();
      for (let i = 0; i < 3; i++) {
        await expect(Promise.resolve(policy.canAccess(allowed.user, allowed.roomId))).resolves.toBe(true);
        await expect(Promise.resolve(policy.canAccess(refused.user, refused.roomId))).resolves.toBe(false);
      }
    });

    it('does not change the user it is asked about', async () => {
      const { policy, allowed, refused } = await factory();
      const snapshot = structuredClone([allowed.user, refused.user]);
      await policy.canAccess(deepFreeze(allowed.user), allowed.roomId);
      await policy.canAccess(deepFreeze(refused.user), refused.roomId);
      expect([allowed.user, refused.user]).toEqual(snapshot);
    });
  });
}

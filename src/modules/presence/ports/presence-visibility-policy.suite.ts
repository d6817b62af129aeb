import assert from 'node:assert/strict';
import type { AuthenticatedUser } from '../../../core/websocket/index.js';
// The runner plumbing is the core's, shared by every module's port suites.
import { assertDeepEqual, resolveSuiteRunner, type SuiteRunner } from '../../../core/websocket/internal.js';
import type { PresenceVisibilityPolicy } from './presence-visibility-policy.port.js';

export type { SuiteRunner };

/** A policy with a viewer and a user it shows, and one it hides (none for a policy that hides no one, as the default). */
export interface PresenceVisibilityPolicyFixture {
  policy: PresenceVisibilityPolicy;
  visible: { viewer: AuthenticatedUser; userId: string };
  hidden?: { viewer: AuthenticatedUser; userId: string };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * What the presence module relies on from any `PresenceVisibilityPolicy`, the
 * default or an app's own: an exact boolean, the same answer when asked
 * again (one at a time or all at once, as the module asks), and no change to
 * the viewer it is shown. A policy that hides no one (the default) leaves
 * `hidden` out. Outside Jest, pass the runner's functions last.
 *
 * @example
 * const fixture = () => ({ policy: new ContactsOnlyPolicy(contacts), visible: { viewer: ann, userId: 'bob' }, hidden: { viewer: ann, userId: 'eve' } });
 * // Jest (globals):
 * describePresenceVisibilityPolicyContract('ContactsOnlyPolicy', fixture);
 * // node:test:
 * import { describe, it, beforeEach, afterEach } from 'node:test';
 * describePresenceVisibilityPolicyContract('ContactsOnlyPolicy', fixture, { describe, it, beforeEach, afterEach });
 */
export function describePresenceVisibilityPolicyContract(
  name: string,
  factory: () => PresenceVisibilityPolicyFixture | Promise<PresenceVisibilityPolicyFixture>,
  runner?: SuiteRunner,
): void {
  const { describe, it } = resolveSuiteRunner(runner);
  describe(`PresenceVisibilityPolicy contract: ${name}`, () => {
    /** The cases the fixture has, each with the exact verdict it must get. */
    const casesOf = ({ visible, hidden }: PresenceVisibilityPolicyFixture) => [
      { ...visible, verdict: true },
      ...(hidden ? [{ ...hidden, verdict: false }] : []),
    ];

    it('answers exactly true for the visible case and exactly false for the hidden one', async () => {
      const fixture = await factory();
      for (const { viewer, userId, verdict } of casesOf(fixture)) {
        assert.equal(await fixture.policy.canSee(viewer, userId), verdict);
      }
    });

    it('gives the same answer when asked again', async () => {
      const fixture = await factory();
      for (let i = 0; i < 3; i++) {
        for (const { viewer, userId, verdict } of casesOf(fixture)) {
          assert.equal(await fixture.policy.canSee(viewer, userId), verdict);
        }
      }
    });

    it('gives the same answers when asked about several users at once, as the module asks', async () => {
      const fixture = await factory();
      const cases = [...casesOf(fixture), ...casesOf(fixture)];
      const verdicts = await Promise.all(cases.map(({ viewer, userId }) => fixture.policy.canSee(viewer, userId)));
      assert.deepEqual(
        verdicts,
        cases.map(({ verdict }) => verdict),
      );
    });

    it('does not change the viewer it is asked for', async () => {
      const fixture = await factory();
      const cases = casesOf(fixture);
      const snapshot = structuredClone(cases.map(({ viewer }) => viewer));
      for (const { viewer, userId } of cases) await fixture.policy.canSee(deepFreeze(viewer), userId);
      assertDeepEqual(
        cases.map(({ viewer }) => viewer),
        snapshot,
      );
    });
  });
}

import { describe, expect, it } from '@jest/globals';
import type { AuthenticatedUser } from '../../../core/websocket/index.js';
import { PresenceVisibilityPolicy } from './presence-visibility-policy.port.js';
import {
  describePresenceVisibilityPolicyContract,
  type PresenceVisibilityPolicyFixture,
  type SuiteRunner,
} from './presence-visibility-policy.suite.js';

const viewer = (contacts: unknown): AuthenticatedUser => ({ userId: 'ann', claims: { sub: 'ann', contacts }, expiresAt: 0 });

/** An app's policy of the usual shape: the viewer's `contacts` claim lists whom they see. */
class ContactsOnlyPolicy extends PresenceVisibilityPolicy {
  canSee(user: AuthenticatedUser, userId: string): boolean {
    const contacts = user.claims.contacts;
    return Array.isArray(contacts) && contacts.includes(userId);
  }
}

const fixture = (policy: PresenceVisibilityPolicy): PresenceVisibilityPolicyFixture => ({
  policy,
  visible: { viewer: viewer(['bob']), userId: 'bob' },
  hidden: { viewer: viewer(['bob']), userId: 'eve' },
});

describePresenceVisibilityPolicyContract('ContactsOnlyPolicy', () => fixture(new ContactsOnlyPolicy()));

/** Runs the suite on `policy` with a runner of our own, and answers the names of the tests that failed. */
async function failuresOf(policy: PresenceVisibilityPolicy): Promise<string[]> {
  const tests: Array<[string, () => Promise<void>]> = [];
  const runner: SuiteRunner = {
    describe: (_name, fn) => fn(),
    it: (name, fn) => void tests.push([name, fn]),
    beforeEach: () => undefined,
    afterEach: () => undefined,
  };
  describePresenceVisibilityPolicyContract('under test', () => fixture(policy), runner);
  expect(tests.length).toBeGreaterThan(0);
  const failed: string[] = [];
  for (const [name, fn] of tests) await fn().catch(() => failed.push(name));
  return failed;
}

describe('the PresenceVisibilityPolicy suite', () => {
  it('passes a policy that keeps the contract, sync or async', async () => {
    expect(await failuresOf(new ContactsOnlyPolicy())).toEqual([]);
    const asyncPolicy = new (class extends PresenceVisibilityPolicy {
      async canSee(user: AuthenticatedUser, userId: string): Promise<boolean> {
        await new Promise((resolve) => setImmediate(resolve));
        return new ContactsOnlyPolicy().canSee(user, userId);
      }
    })();
    expect(await failuresOf(asyncPolicy)).toEqual([]);
  });

  it("fails a policy whose verdict is not exactly a boolean ('yes', 1, undefined)", async () => {
    for (const [seen, hidden] of [
      ['yes', false],
      [1, 0],
      [true, undefined],
    ] as const) {
      const loose = new (class extends PresenceVisibilityPolicy {
        canSee(user: AuthenticatedUser, userId: string): boolean {
          return (new ContactsOnlyPolicy().canSee(user, userId) ? seen : hidden) as boolean;
        }
      })();
      expect(await failuresOf(loose)).toContain('answers exactly true for the visible case and exactly false for the hidden one');
    }
  });

  it('fails a policy that changes its answer when asked again', async () => {
    let asked = 0;
    const fickle = new (class extends ContactsOnlyPolicy {
      override canSee(user: AuthenticatedUser, userId: string): boolean {
        return ++asked > 2 ? !super.canSee(user, userId) : super.canSee(user, userId);
      }
    })();
    expect(await failuresOf(fickle)).toContain('gives the same answer when asked again');
  });

  it('fails a policy that writes to the viewer', async () => {
    const meddling = new (class extends ContactsOnlyPolicy {
      override canSee(user: AuthenticatedUser, userId: string): boolean {
        (user.claims as Record<string, unknown>).seen = true;
        return super.canSee(user, userId);
      }
    })();
    expect(await failuresOf(meddling)).toContain('does not change the viewer it is asked for');
  });
});

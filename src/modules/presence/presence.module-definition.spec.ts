import { describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { WebsocketModule, type AuthenticatedUser } from '../../core/websocket/index.js';
import { EveryoneVisiblePolicy } from './infrastructure/everyone-visible.policy.js';
import { PresenceVisibilityPolicy } from './ports/presence-visibility-policy.port.js';
import { PresenceModule } from './presence.module.js';
import { PRESENCE_OPTIONS } from './presence.options.js';

/** A stand-in for an app's contact list, in a module of its own. */
@Injectable()
class Contacts {
  readonly of = new Map<string, string[]>([['ann', ['bob']]]);
}

@Module({ providers: [Contacts], exports: [Contacts] })
class ContactsModule {}

@Injectable()
class ContactsOnlyPolicy extends PresenceVisibilityPolicy {
  constructor(private readonly contacts: Contacts) {
    super();
  }

  canSee(viewer: AuthenticatedUser, userId: string): boolean {
    return this.contacts.of.get(viewer.userId)?.includes(userId) ?? false;
  }
}

const ann: AuthenticatedUser = { userId: 'ann', claims: { sub: 'ann' }, expiresAt: 0 };

describe('PresenceModule visibility policy', () => {
  const compile = (presence: ReturnType<typeof PresenceModule.forRoot>) =>
    Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        WebsocketModule.forRoot({ auth: { secret: 'a-test-secret-of-at-least-32-bytes' } }),
        presence,
      ],
    }).compile();

  it('shows everyone by default', async () => {
    const moduleRef = await compile(PresenceModule.forRoot());
    expect(moduleRef.get(PresenceVisibilityPolicy)).toBeInstanceOf(EveryoneVisiblePolicy);
    await moduleRef.close();
  });

  it('provides the policy the app names, with the modules it needs', async () => {
    const moduleRef = await compile(PresenceModule.forRoot({ visibilityPolicy: ContactsOnlyPolicy, imports: [ContactsModule] }));
    const policy = moduleRef.get(PresenceVisibilityPolicy);
    expect(policy).toBeInstanceOf(ContactsOnlyPolicy);
    expect([policy.canSee(ann, 'bob'), policy.canSee(ann, 'eve')]).toEqual([true, false]);
    await moduleRef.close();
  });

  it('takes the policy beside a factory with forRootAsync, keeping it out of the options', async () => {
    const moduleRef = await compile(
      PresenceModule.forRootAsync({
        useFactory: () => ({ offlineGraceMs: 50 }),
        visibilityPolicy: ContactsOnlyPolicy,
        imports: [ContactsModule],
      }),
    );
    expect(moduleRef.get(PresenceVisibilityPolicy)).toBeInstanceOf(ContactsOnlyPolicy);
    expect(moduleRef.get(PRESENCE_OPTIONS)).toEqual({ offlineGraceMs: 50, maxWatchedPerSocket: 1000, lastSeenTtlMs: 2_592_000_000 });
    await moduleRef.close();
  });

  it('keeps the extras out of the options of forRoot too', async () => {
    const moduleRef = await compile(
      PresenceModule.forRoot({ maxWatchedPerSocket: 5, visibilityPolicy: ContactsOnlyPolicy, imports: [ContactsModule] }),
    );
    expect(moduleRef.get(PRESENCE_OPTIONS)).toEqual({ offlineGraceMs: 5000, maxWatchedPerSocket: 5, lastSeenTtlMs: 2_592_000_000 });
    await moduleRef.close();
  });
});

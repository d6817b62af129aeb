import { Injectable } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import type { Socket } from 'socket.io-client';
import { RedisIoAdapter, WebsocketModule, type AuthenticatedUser } from '../src/core/websocket/index.js';
import { PresenceModule, PresenceVisibilityPolicy, type PresenceEntry } from '../src/modules/presence/index.js';
import { SECRET, serve, type TestApp } from './support/app.js';
import { collect, nextEvent, request, settle } from './support/events.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const MAX_WATCHED = 4;

/** The viewer sees the users their token's `contacts` claim lists; every question is recorded, and `failing` makes it throw. */
@Injectable()
class ContactsClaimPolicy extends PresenceVisibilityPolicy {
  readonly asked: Array<[viewer: string, userId: string]> = [];
  failing = false;

  async canSee(viewer: AuthenticatedUser, userId: string): Promise<boolean> {
    this.asked.push([viewer.userId, userId]);
    await Promise.resolve();
    if (this.failing) throw new Error('contacts database is down');
    const contacts = viewer.claims.contacts;
    return Array.isArray(contacts) && contacts.includes(userId);
  }
}

describe('presence with a visibility policy (e2e)', () => {
  let t: TestApp;
  let policy: ContactsClaimPolicy;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        WebsocketModule.forRoot({ auth: { secret: SECRET } }),
        PresenceModule.forRoot({ offlineGraceMs: 200, maxWatchedPerSocket: MAX_WATCHED, visibilityPolicy: ContactsClaimPolicy }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new RedisIoAdapter(app));
    t = await serve(app);
    policy = app.get(PresenceVisibilityPolicy);
  });

  afterEach(() => t.close());

  /** A socket of `userId` whose token lists `contacts`. */
  const connect = (userId: string, contacts: string[]): Promise<Socket> => t.connect(userId, { claims: { contacts } });

  /** The never-seen entry of `ghost` with `userId` in its place: what a hidden user must read as, to the byte. */
  const asNeverSeen = (ghost: PresenceEntry, userId: string): PresenceEntry => ({ ...ghost, userId });

  const askedAbout = (viewer: string) => policy.asked.filter(([who]) => who === viewer).map(([, userId]) => userId);

  it('answers a stranger online exactly as a user never seen, in subscribe and query, and a contact as usual', async () => {
    await connect('contact', []);
    await connect('stranger', []);
    const watcher = await connect('watcher', ['contact']);

    const subscribed = await request(watcher, 'presence:subscribe', { userIds: ['contact', 'stranger', 'ghost'] });
    expect(subscribed.ok).toBe(true);
    const [contact, stranger, ghost] = subscribed.data.presence as PresenceEntry[];
    expect(ghost).toEqual({ userId: 'ghost', status: 'offline', lastSeenAt: null });
    expect(stranger).toStrictEqual(asNeverSeen(ghost!, 'stranger'));
    expect(JSON.stringify(stranger)).toBe(JSON.stringify(asNeverSeen(ghost!, 'stranger')));
    expect(contact).toEqual({ userId: 'contact', status: 'online', lastSeenAt: expect.stringMatching(ISO) });

    const queried = await request(watcher, 'presence:query', { userIds: ['stranger', 'ghost', 'contact'] });
    expect(queried).toEqual({ ok: true, data: { presence: [asNeverSeen(ghost!, 'stranger'), ghost, contact] } });
    // Once per distinct id per request.
    expect(askedAbout('watcher')).toEqual(['contact', 'stranger', 'ghost', 'stranger', 'ghost', 'contact']);
  });

  it("sends the contact's changes and never the stranger's", async () => {
    const contact = await connect('contact', []);
    const stranger = await connect('stranger', []);
    const watcher = await connect('watcher', ['contact']);
    const updates = collect<PresenceEntry>(watcher, 'presence:update');
    await request(watcher, 'presence:subscribe', { userIds: ['contact', 'stranger'] });

    // presence:set is the user's own: its reply is the full entry, policy or not.
    expect(await request(stranger, 'presence:set', { status: 'busy' })).toEqual({
      ok: true,
      data: { userId: 'stranger', status: 'busy', lastSeenAt: expect.stringMatching(ISO) },
    });
    const update = nextEvent<PresenceEntry>(watcher, 'presence:update');
    await request(contact, 'presence:set', { status: 'away' });
    expect(await update).toEqual({ userId: 'contact', status: 'away', lastSeenAt: expect.stringMatching(ISO) });
    stranger.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await t.connect('stranger');
    await settle(watcher);
    expect(updates.map((entry) => [entry.userId, entry.status])).toEqual([['contact', 'away']]);
  });

  it('after auth:refresh, shows the new contact with its entry then its updates, and hides the dropped one for good', async () => {
    const contact = await connect('contact', []);
    const stranger = await connect('stranger', []);
    await request(stranger, 'presence:set', { status: 'busy' });
    const watcher = await connect('watcher', ['contact']);
    await request(watcher, 'presence:subscribe', { userIds: ['contact', 'stranger', 'ghost'] });
    const order: unknown[] = [];
    watcher.on('presence:update', (entry: PresenceEntry) => order.push(['presence:update', entry]));
    policy.asked.length = 0;

    const reply = await request(watcher, 'auth:refresh', { token: t.token('watcher', { contacts: ['stranger'] }) });
    order.push(['reply', reply.ok]);

    // Both pushes come before the reply: the core awaits the re-check.
    expect(order).toHaveLength(3);
    expect(order).toEqual(
      expect.arrayContaining([
        ['presence:update', { userId: 'contact', status: 'offline', lastSeenAt: null }],
        ['presence:update', { userId: 'stranger', status: 'busy', lastSeenAt: expect.stringMatching(ISO) }],
      ]),
    );
    expect(order[2]).toEqual(['reply', true]);
    // Asked again about every watched user, with the new token.
    expect(askedAbout('watcher').sort()).toEqual(['contact', 'ghost', 'stranger']);

    order.length = 0;
    const strangerUpdate = nextEvent<PresenceEntry>(watcher, 'presence:update');
    await request(contact, 'presence:set', { status: 'busy' });
    await request(stranger, 'presence:set', { status: 'away' });
    expect(await strangerUpdate).toEqual({ userId: 'stranger', status: 'away', lastSeenAt: expect.stringMatching(ISO) });
    await settle(watcher);
    expect(order).toEqual([['presence:update', { userId: 'stranger', status: 'away', lastSeenAt: expect.stringMatching(ISO) }]]);

    const queried = await request(watcher, 'presence:query', { userIds: ['contact', 'stranger'] });
    expect(queried.data.presence).toEqual([
      { userId: 'contact', status: 'offline', lastSeenAt: null },
      { userId: 'stranger', status: 'away', lastSeenAt: expect.stringMatching(ISO) },
    ]);
  });

  it('sends nothing on a refresh that changes no verdict', async () => {
    await connect('contact', []);
    const watcher = await connect('watcher', ['contact']);
    await request(watcher, 'presence:subscribe', { userIds: ['contact', 'stranger'] });
    const updates = collect(watcher, 'presence:update');
    expect((await request(watcher, 'auth:refresh', { token: t.token('watcher', { contacts: ['contact', 'someone-else'] }) })).ok).toBe(
      true,
    );
    await settle(watcher);
    expect(updates).toEqual([]);
  });

  it('counts hidden users against maxWatchedPerSocket exactly as visible ones', async () => {
    const watcher = await connect('watcher', ['a']);
    const other = await connect('other', ['a', 'h1', 'h2', 'h3', 'h4']);
    for (const socket of [watcher, other]) {
      expect((await request(socket, 'presence:subscribe', { userIds: ['a', 'h1', 'h2', 'h3'] })).ok).toBe(true);
      const refused = await request(socket, 'presence:subscribe', { userIds: ['h4'] });
      expect(refused).toEqual({
        ok: false,
        error: {
          code: 'BAD_REQUEST',
          message: expect.stringContaining(`at most ${MAX_WATCHED}`),
          details: [expect.objectContaining({ path: 'userIds' })],
        },
      });
    }
    expect((await request(watcher, 'presence:unsubscribe', { userIds: ['h1'] })).ok).toBe(true);
    expect((await request(watcher, 'presence:subscribe', { userIds: ['h4'] })).ok).toBe(true);
  });

  it('answers INTERNAL when the policy fails, and hides every watched user when it fails on a refresh', async () => {
    await connect('contact', []);
    const watcher = await connect('watcher', ['contact']);
    expect((await request(watcher, 'presence:subscribe', { userIds: ['contact'] })).data.presence[0].status).toBe('online');
    policy.failing = true;
    for (const event of ['presence:subscribe', 'presence:query']) {
      expect(await request(watcher, event, { userIds: ['contact'] })).toEqual({
        ok: false,
        error: { code: 'INTERNAL', message: expect.any(String) },
      });
    }
    const hidden = nextEvent<PresenceEntry>(watcher, 'presence:update');
    expect((await request(watcher, 'auth:refresh', { token: t.token('watcher', { contacts: ['contact'] }) })).ok).toBe(true);
    expect(await hidden).toEqual({ userId: 'contact', status: 'offline', lastSeenAt: null });
    policy.failing = false;
    const shown = nextEvent<PresenceEntry>(watcher, 'presence:update');
    expect((await request(watcher, 'auth:refresh', { token: t.token('watcher', { contacts: ['contact'] }) })).ok).toBe(true);
    expect(await shown).toEqual({ userId: 'contact', status: 'online', lastSeenAt: expect.stringMatching(ISO) });
  });
});

import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Socket } from 'socket.io-client';
import { ConnectionManager } from '../src/core/websocket/index.js';
import { PresenceEvents, PresenceService, type PresenceChangedEvent, type PresenceEntry } from '../src/modules/presence/index.js';
import { startApp, type TestApp } from './support/app.js';
import { collect, nextEvent, request, settle } from './support/events.js';

const GRACE_MS = 300;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('presence (e2e)', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startApp({ PRESENCE_OFFLINE_GRACE_MS: String(GRACE_MS) });
  });

  afterEach(async () => {
    await t.close();
  });

  /** Resolves once `check` holds: for server-side state no client event reports. */
  async function until(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  const socketCount = (userId: string) => async () => (await t.app.get(ConnectionManager).getSockets(userId)).length;
  const hasSockets = (userId: string, count: number) => async () => (await socketCount(userId)()) === count;

  /** Closes a client and waits until the server has let go of it. */
  async function close(socket: Socket, userId: string): Promise<void> {
    const before = await socketCount(userId)();
    socket.disconnect();
    await until(hasSockets(userId, before - 1));
  }

  /** A socket of `watcherId` subscribed to `userIds`, with every update it receives. */
  async function watch(watcherId: string, userIds: string[]) {
    const socket = await t.connect(watcherId);
    const updates = collect<PresenceEntry>(socket, 'presence:update');
    const reply = await request(socket, 'presence:subscribe', { userIds });
    expect(reply.ok).toBe(true);
    return { socket, updates, presence: reply.data.presence as PresenceEntry[] };
  }

  /** Waits one full grace period and a margin: the only way to show an offline that must not come. */
  const outlastGrace = () => new Promise((resolve) => setTimeout(resolve, GRACE_MS + 150));

  describe('presence:subscribe', () => {
    it('answers a never-seen user as offline with lastSeenAt null', async () => {
      const { presence } = await watch('watcher', ['alice']);
      expect(presence).toEqual([{ userId: 'alice', status: 'offline', lastSeenAt: null }]);
    });

    it('answers each id once, in the order asked, when ids repeat', async () => {
      await t.connect('bob');
      const { presence } = await watch('watcher', ['alice', 'bob', 'alice']);
      expect(presence.map((entry) => [entry.userId, entry.status])).toEqual([
        ['alice', 'offline'],
        ['bob', 'online'],
      ]);
    });

    it('sends presence:update online to subscribers when the user connects', async () => {
      const { socket, updates } = await watch('watcher', ['alice']);
      const update = nextEvent<PresenceEntry>(socket, 'presence:update');
      await t.connect('alice');
      expect(await update).toEqual({ userId: 'alice', status: 'online', lastSeenAt: expect.stringMatching(ISO) });
      await settle(socket);
      expect(updates).toHaveLength(1);
    });
  });

  describe('tabs and devices', () => {
    it('changes nothing when a second tab opens', async () => {
      await t.connect('alice');
      const { socket, updates, presence } = await watch('watcher', ['alice']);
      expect(presence[0]!.status).toBe('online');
      await t.connect('alice');
      await settle(socket);
      expect(updates).toEqual([]);
    });

    it('changes nothing when one of two tabs closes', async () => {
      const tab1 = await t.connect('alice');
      await t.connect('alice');
      const { socket, updates } = await watch('watcher', ['alice']);
      await close(tab1, 'alice');
      expect(t.app.get(PresenceService).pendingGraceCount).toBe(0);
      await outlastGrace();
      await settle(socket);
      expect(updates).toEqual([]);
    });

    it('goes offline exactly once, one grace period after the last tab closes', async () => {
      const tab1 = await t.connect('alice');
      const tab2 = await t.connect('alice');
      const { socket, updates } = await watch('watcher', ['alice']);
      const offline = nextEvent<PresenceEntry>(socket, 'presence:update', GRACE_MS + 3000);
      await close(tab1, 'alice');
      const closedAt = Date.now();
      await close(tab2, 'alice');
      const update = await offline;
      const announcedAt = Date.now();

      expect(update).toEqual({ userId: 'alice', status: 'offline', lastSeenAt: expect.stringMatching(ISO) });
      expect(announcedAt - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 20);
      // lastSeenAt is when the last socket left, not when the grace ran out.
      expect(Date.parse(update.lastSeenAt!)).toBeLessThan(announcedAt - GRACE_MS + 100);
      await outlastGrace();
      await settle(socket);
      expect(updates).toHaveLength(1);
      expect((await request(socket, 'presence:query', { userIds: ['alice'] })).data.presence).toEqual([update]);
    });

    it('announces nothing at all when the user reconnects within the grace period', async () => {
      const tab = await t.connect('alice');
      const { socket, updates } = await watch('watcher', ['alice']);
      await close(tab, 'alice');
      expect(t.app.get(PresenceService).pendingGraceCount).toBe(1);
      await t.connect('alice');
      expect(t.app.get(PresenceService).pendingGraceCount).toBe(0);
      await outlastGrace();
      await settle(socket);
      expect(updates).toEqual([]);
      expect((await request(socket, 'presence:query', { userIds: ['alice'] })).data.presence[0].status).toBe('online');
    });
  });

  describe('presence:set', () => {
    it('answers with the caller’s entry and sends the change to subscribers once', async () => {
      const alice = await t.connect('alice');
      const { socket, updates } = await watch('watcher', ['alice']);
      const update = nextEvent<PresenceEntry>(socket, 'presence:update');
      const reply = await request(alice, 'presence:set', { status: 'busy' });
      expect(reply).toEqual({ ok: true, data: { userId: 'alice', status: 'busy', lastSeenAt: expect.stringMatching(ISO) } });
      expect(await update).toEqual(reply.data);
      await settle(socket);
      expect(updates).toHaveLength(1);
    });

    it('sends nothing when the same status is set again', async () => {
      const alice = await t.connect('alice');
      const { socket, updates } = await watch('watcher', ['alice']);
      const first = await request(alice, 'presence:set', { status: 'online' });
      expect(first.data.status).toBe('online');
      await request(alice, 'presence:set', { status: 'away' });
      const again = await request(alice, 'presence:set', { status: 'away' });
      expect(again.data.status).toBe('away');
      await settle(socket);
      expect(updates.map((entry) => entry.status)).toEqual(['away']);
    });

    it('applies away to every tab of the user, and closing one of them keeps it', async () => {
      const tab1 = await t.connect('alice');
      const tab2 = await t.connect('alice');
      const { socket, updates } = await watch('watcher', ['alice']);
      const update = nextEvent<PresenceEntry>(socket, 'presence:update');
      await request(tab1, 'presence:set', { status: 'away' });
      expect((await update).status).toBe('away');

      expect((await request(tab2, 'presence:query', { userIds: ['alice'] })).data.presence[0].status).toBe('away');
      expect((await request(tab2, 'presence:set', { status: 'away' })).data.status).toBe('away');
      await close(tab1, 'alice');
      expect((await request(socket, 'presence:query', { userIds: ['alice'] })).data.presence[0].status).toBe('away');
      await settle(socket);
      expect(updates.map((entry) => entry.status)).toEqual(['away']);
    });

    it('ends away when the user goes offline: the next connection is online', async () => {
      const alice = await t.connect('alice');
      const { socket, updates } = await watch('watcher', ['alice']);
      await request(alice, 'presence:set', { status: 'away' });
      const offline = nextEvent<PresenceEntry>(socket, 'presence:update', GRACE_MS + 3000);
      await settle(socket);
      await close(alice, 'alice');
      expect((await offline).status).toBe('offline');

      const online = nextEvent<PresenceEntry>(socket, 'presence:update');
      await t.connect('alice');
      expect((await online).status).toBe('online');
      await settle(socket);
      expect(updates.map((entry) => entry.status)).toEqual(['away', 'offline', 'online']);
    });

    it('refuses a status the user cannot choose with BAD_REQUEST', async () => {
      const alice = await t.connect('alice');
      for (const body of [{ status: 'offline' }, { status: 'invisible' }, {}, undefined]) {
        const reply = await request(alice, 'presence:set', body);
        expect(reply).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String), details: expect.any(Array) } });
      }
    });
  });

  describe('who receives presence:update', () => {
    it('reaches subscribers only: not the user, not a bystander, not a socket that unsubscribed', async () => {
      const alice = await t.connect('alice');
      const { socket: watcher, updates } = await watch('watcher', ['alice']);
      const { socket: quitter, updates: quitterUpdates } = await watch('quitter', ['alice']);
      expect(await request(quitter, 'presence:unsubscribe', { userIds: ['alice'] })).toEqual({ ok: true, data: {} });
      const bystander = await t.connect('bystander');
      const bystanderUpdates = collect(bystander, 'presence:update');
      const aliceUpdates = collect(alice, 'presence:update');

      const update = nextEvent<PresenceEntry>(watcher, 'presence:update');
      await request(alice, 'presence:set', { status: 'busy' });
      expect((await update).status).toBe('busy');
      await Promise.all([settle(watcher), settle(quitter), settle(bystander), settle(alice)]);
      expect(updates).toHaveLength(1);
      expect(quitterUpdates).toEqual([]);
      expect(bystanderUpdates).toEqual([]);
      expect(aliceUpdates).toEqual([]);
    });

    it('reaches every socket subscribed, each once', async () => {
      const alice = await t.connect('alice');
      const one = await watch('watcher', ['alice']);
      const two = await watch('watcher', ['alice', 'alice']);
      await request(one.socket, 'presence:subscribe', { userIds: ['alice'] });
      await request(alice, 'presence:set', { status: 'away' });
      await Promise.all([settle(one.socket), settle(two.socket)]);
      expect(one.updates.map((entry) => entry.status)).toEqual(['away']);
      expect(two.updates.map((entry) => entry.status)).toEqual(['away']);
    });
  });

  describe('presence:query', () => {
    it('answers without subscribing', async () => {
      const alice = await t.connect('alice');
      const asker = await t.connect('asker');
      const updates = collect(asker, 'presence:update');
      const reply = await request(asker, 'presence:query', { userIds: ['alice', 'nobody'] });
      expect(reply).toEqual({
        ok: true,
        data: {
          presence: [
            { userId: 'alice', status: 'online', lastSeenAt: expect.stringMatching(ISO) },
            { userId: 'nobody', status: 'offline', lastSeenAt: null },
          ],
        },
      });
      await request(alice, 'presence:set', { status: 'away' });
      await settle(asker);
      expect(updates).toEqual([]);
    });
  });

  describe('validation', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `user-${i}`);

    it.each(['presence:subscribe', 'presence:unsubscribe', 'presence:query'])(
      '%s refuses 0 ids and 101 ids with BAD_REQUEST and details',
      async (event) => {
        const socket = await t.connect('watcher');
        for (const userIds of [[], ids(101)]) {
          const reply = await request(socket, event, { userIds });
          expect(reply).toEqual({
            ok: false,
            error: { code: 'BAD_REQUEST', message: expect.any(String), details: [expect.objectContaining({ path: 'userIds' })] },
          });
        }
        expect((await request(socket, event, { userIds: ids(100) })).ok).toBe(true);
      },
    );

    it('refuses an empty id, an id over 128 characters, a non-string id and a missing body', async () => {
      const socket = await t.connect('watcher');
      for (const body of [{ userIds: [''] }, { userIds: ['x'.repeat(129)] }, { userIds: [42] }, { userIds: 'alice' }, undefined]) {
        const reply = await request(socket, 'presence:subscribe', body);
        expect(reply.ok).toBe(false);
        expect(reply.error.code).toBe('BAD_REQUEST');
      }
      expect((await request(socket, 'presence:subscribe', { userIds: ['x'.repeat(128)] })).ok).toBe(true);
    });

    it('refuses to let one socket watch more than 1000 users, joining none of the refused call', async () => {
      const socket = await t.connect('watcher');
      for (let page = 0; page < 10; page++) {
        const userIds = ids(100).map((id) => `${id}-${page}`);
        expect((await request(socket, 'presence:subscribe', { userIds })).ok).toBe(true);
      }
      // Ids already watched do not count twice.
      expect((await request(socket, 'presence:subscribe', { userIds: ['user-0-0'] })).ok).toBe(true);
      const refused = await request(socket, 'presence:subscribe', { userIds: ['alice', 'user-0-0'] });
      expect(refused).toEqual({
        ok: false,
        error: {
          code: 'BAD_REQUEST',
          message: expect.stringContaining('at most 1000'),
          details: [{ path: 'userIds', message: expect.any(String) }],
        },
      });

      const updates = collect(socket, 'presence:update');
      await t.connect('alice');
      await settle(socket);
      expect(updates).toEqual([]);

      await request(socket, 'presence:unsubscribe', { userIds: ['user-0-0'] });
      expect((await request(socket, 'presence:subscribe', { userIds: ['alice'] })).ok).toBe(true);
    });
  });

  describe('domain events', () => {
    it('publishes presence.online and presence.offline once per change, with { userId, at }', async () => {
      const events = t.app.get(EventEmitter2);
      const seen: Array<[string, PresenceChangedEvent]> = [];
      const { socket } = await watch('watcher', ['alice']);
      events.on(PresenceEvents.online, (event: PresenceChangedEvent) => seen.push(['online', event]));
      events.on(PresenceEvents.offline, (event: PresenceChangedEvent) => seen.push(['offline', event]));

      const tab1 = await t.connect('alice');
      const tab2 = await t.connect('alice');
      await request(tab1, 'presence:set', { status: 'away' });
      await request(tab1, 'presence:set', { status: 'online' });
      const offline = new Promise((resolve) => events.once(PresenceEvents.offline, resolve));
      await close(tab1, 'alice');
      await close(tab2, 'alice');
      await offline;
      await outlastGrace();
      await settle(socket);

      expect(seen).toEqual([
        ['online', { userId: 'alice', at: expect.any(Number) }],
        ['offline', { userId: 'alice', at: expect.any(Number) }],
      ]);
      expect(seen[1]![1].at).toBeGreaterThanOrEqual(seen[0]![1].at);
    });
  });
});

import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { RealtimeException, type AuthenticatedUser, type ConnectionManager, type RealtimeSocket } from '../../../core/websocket/index.js';
import type { PresenceEntry } from '../domain/presence-entry.js';
import { presenceRoom } from './presence-rooms.js';
import { EveryoneVisiblePolicy } from '../infrastructure/everyone-visible.policy.js';
import { PresenceVisibilityPolicy } from '../ports/presence-visibility-policy.port.js';
import type { PresenceService } from './presence.service.js';
import { PresenceSubscriptions } from './presence-subscriptions.service.js';

const AT = '2030-01-01T12:00:00.000Z';
const unseen = (userId: string): PresenceEntry => ({ userId, status: 'offline', lastSeenAt: null });
const online = (userId: string): PresenceEntry => ({ userId, status: 'online', lastSeenAt: AT });
const viewer = (contacts: string[]): AuthenticatedUser => ({ userId: 'watcher', claims: { sub: 'watcher', contacts }, expiresAt: 0 });

function fakeSocket(user: AuthenticatedUser = viewer([])) {
  const joined = new Set<string>();
  const pushes: Array<[string, unknown]> = [];
  const socket = {
    connected: true,
    data: { user },
    join: jest.fn(async (room: string | string[]) => [room].flat().forEach((name) => joined.add(name))),
    leave: jest.fn(async (room: string) => void joined.delete(room)),
    emit: jest.fn((event: string, payload: unknown) => void pushes.push([event, payload])),
  };
  return { socket: socket as unknown as RealtimeSocket, joined, pushes, raw: socket };
}

/** The viewer's `contacts` claim lists whom they see; `failing` makes it throw; every question is counted. */
class ContactsOnlyPolicy extends PresenceVisibilityPolicy {
  readonly asked: string[] = [];
  failing = false;
  canSee(user: AuthenticatedUser, userId: string): boolean | Promise<boolean> {
    this.asked.push(userId);
    if (this.failing) throw new Error('contacts database is down');
    return (user.claims.contacts as string[]).includes(userId);
  }
}

describe('PresenceSubscriptions', () => {
  const joiner = {
    join: async (socket: RealtimeSocket, names: string | string[]) => void (await socket.join(names)),
  } as unknown as ConnectionManager;
  /** Everyone in `onlineUsers` is online; everyone else never seen. */
  const presenceOf = (onlineUsers: string[] = []) => {
    const get = jest.fn(async (userIds: readonly string[]) => userIds.map((id) => (onlineUsers.includes(id) ? online(id) : unseen(id))));
    return { get } as unknown as PresenceService & { get: typeof get };
  };
  const subscriptions = (policy: PresenceVisibilityPolicy = new EveryoneVisiblePolicy(), presence = presenceOf()) =>
    new PresenceSubscriptions({ offlineGraceMs: 0, maxWatchedPerSocket: 3, lastSeenTtlMs: 0 }, joiner, presence, policy);

  describe('with everyone visible', () => {
    it('joins the presence room of each user once', async () => {
      const subs = subscriptions();
      const { socket, joined } = fakeSocket();
      await subs.subscribe(socket, ['a', 'b', 'a']);
      await subs.subscribe(socket, ['b']);
      expect([...joined]).toEqual([presenceRoom('a'), presenceRoom('b')]);
      expect(subs.countOf(socket)).toBe(2);
    });

    it('answers the entries of the ids asked, each once, in order', async () => {
      const subs = subscriptions(undefined, presenceOf(['b']));
      const { socket } = fakeSocket();
      expect(await subs.subscribe(socket, ['a', 'b', 'a'])).toEqual([unseen('a'), online('b')]);
    });

    it('refuses a call that would pass the cap with BAD_REQUEST, joining none of it', async () => {
      const subs = subscriptions();
      const { socket, joined } = fakeSocket();
      await subs.subscribe(socket, ['a', 'b']);
      const refusal = await subs.subscribe(socket, ['a', 'c', 'd']).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(RealtimeException);
      expect(refusal).toMatchObject({ code: 'BAD_REQUEST', details: [{ path: 'userIds' }] });
      expect((refusal as Error).message).toContain('at most 3');
      expect(joined.size).toBe(2);
      await subs.subscribe(socket, ['a', 'c']);
      expect(subs.countOf(socket)).toBe(3);
    });

    it('counts per socket, and gives room back on unsubscribe', async () => {
      const subs = subscriptions();
      const one = fakeSocket();
      const two = fakeSocket();
      await subs.subscribe(one.socket, ['a', 'b', 'c']);
      await subs.subscribe(two.socket, ['a', 'b', 'c']);
      await subs.unsubscribe(one.socket, ['a', 'zzz']);
      expect(one.joined.has(presenceRoom('a'))).toBe(false);
      expect(one.socket.leave).toHaveBeenCalledTimes(1);
      await subs.subscribe(one.socket, ['d']);
      expect(subs.countOf(one.socket)).toBe(3);
    });

    it('keeps the cap when calls race', async () => {
      const subs = subscriptions();
      const { socket } = fakeSocket();
      const results = await Promise.allSettled([subs.subscribe(socket, ['a', 'b']), subs.subscribe(socket, ['c', 'd'])]);
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
      expect(subs.countOf(socket)).toBe(2);
    });

    it('joins nothing for a socket that has disconnected', async () => {
      const subs = subscriptions();
      const { socket, joined, raw } = fakeSocket();
      raw.connected = false;
      await expect(subs.subscribe(socket, ['a'])).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(joined.size).toBe(0);
    });
  });

  describe('with a policy that hides', () => {
    it('answers a hidden user exactly as a never-seen one, and does not join their room', async () => {
      const subs = subscriptions(new ContactsOnlyPolicy(), presenceOf(['friend', 'stranger']));
      const { socket, joined } = fakeSocket(viewer(['friend']));
      expect(await subs.subscribe(socket, ['friend', 'stranger', 'ghost'])).toEqual([
        online('friend'),
        unseen('stranger'),
        unseen('ghost'),
      ]);
      expect([...joined]).toEqual([presenceRoom('friend')]);
    });

    it('reads a hidden user as never seen in a query too', async () => {
      const subs = subscriptions(new ContactsOnlyPolicy(), presenceOf(['friend', 'stranger']));
      expect(await subs.query(viewer(['friend']), ['stranger', 'friend'])).toEqual([unseen('stranger'), online('friend')]);
    });

    it('asks once per distinct id, all at once, with the socket’s user', async () => {
      const resolvers: Array<(answer: boolean) => void> = [];
      const asked: Array<[string, string]> = [];
      const policy = new (class extends PresenceVisibilityPolicy {
        canSee(user: AuthenticatedUser, userId: string): Promise<boolean> {
          asked.push([user.userId, userId]);
          return new Promise((resolve) => resolvers.push(resolve));
        }
      })();
      const subs = subscriptions(policy);
      const { socket } = fakeSocket();
      const reply = subs.subscribe(socket, ['a', 'b', 'a', 'c']);
      await new Promise((resolve) => setImmediate(resolve));
      expect(asked).toEqual([
        ['watcher', 'a'],
        ['watcher', 'b'],
        ['watcher', 'c'],
      ]);
      resolvers.forEach((resolve) => resolve(true));
      expect(await reply).toHaveLength(3);
    });

    it('hides on any answer but exactly true', async () => {
      const answers: Record<string, unknown> = { yes: 'yes', one: 1, object: {}, truthy: [true], really: true };
      const policy = new (class extends PresenceVisibilityPolicy {
        canSee(_user: AuthenticatedUser, userId: string): Promise<boolean> {
          return Promise.resolve(answers[userId] as boolean);
        }
      })();
      const subs = subscriptions(policy, presenceOf(Object.keys(answers)));
      const entries = await subs.query(viewer([]), Object.keys(answers));
      expect(entries.map((entry) => entry.lastSeenAt !== null)).toEqual([false, false, false, false, true]);
    });

    it('counts hidden users against the cap exactly as visible ones, and forgets them on unsubscribe', async () => {
      const subs = subscriptions(new ContactsOnlyPolicy());
      const { socket, joined } = fakeSocket(viewer(['a']));
      await subs.subscribe(socket, ['a', 'h1', 'h2']);
      expect(subs.countOf(socket)).toBe(3);
      await expect(subs.subscribe(socket, ['h3'])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await subs.unsubscribe(socket, ['h1']);
      expect(socket.leave).not.toHaveBeenCalled();
      await subs.subscribe(socket, ['h3']);
      expect(subs.countOf(socket)).toBe(3);
      expect([...joined]).toEqual([presenceRoom('a')]);
    });

    it('fails the request when the policy throws, and changes nothing', async () => {
      const policy = new ContactsOnlyPolicy();
      const subs = subscriptions(policy);
      const { socket, joined } = fakeSocket(viewer(['a', 'b']));
      await subs.subscribe(socket, ['a']);
      policy.failing = true;
      await expect(subs.subscribe(socket, ['a', 'b'])).rejects.toThrow('contacts database is down');
      await expect(subs.query(viewer(['a']), ['a'])).rejects.toThrow('contacts database is down');
      expect(subs.countOf(socket)).toBe(1);
      expect([...joined]).toEqual([presenceRoom('a')]);
    });

    it('applies the latest verdict when a watched user is subscribed again', async () => {
      const subs = subscriptions(new ContactsOnlyPolicy());
      const { socket, joined, raw } = fakeSocket(viewer(['a']));
      await subs.subscribe(socket, ['a', 'b']);
      raw.data.user = viewer(['b']);
      await subs.subscribe(socket, ['a', 'b']);
      expect([...joined]).toEqual([presenceRoom('b')]);
      expect(subs.countOf(socket)).toBe(2);
    });
  });

  describe('recheck after a refresh', () => {
    it('leaves the rooms of users now hidden with a never-seen update, and joins those now visible with their entry', async () => {
      const policy = new ContactsOnlyPolicy();
      const presence = presenceOf(['a', 'b']);
      const subs = subscriptions(policy, presence);
      const { socket, joined, pushes } = fakeSocket(viewer(['a', 'c']));
      await subs.subscribe(socket, ['a', 'b', 'c']);
      policy.asked.length = 0;
      presence.get.mockClear();

      await subs.recheck(socket, viewer(['b', 'c']));

      expect(policy.asked.sort()).toEqual(['a', 'b', 'c']);
      expect(pushes).toEqual([
        ['presence:update', unseen('a')],
        ['presence:update', online('b')],
      ]);
      expect(presence.get).toHaveBeenCalledWith(['b']);
      expect([...joined].sort()).toEqual([presenceRoom('b'), presenceRoom('c')]);
      expect(subs.countOf(socket)).toBe(3);
    });

    it('sends nothing when no verdict changed', async () => {
      const subs = subscriptions(new ContactsOnlyPolicy());
      const { socket, pushes } = fakeSocket(viewer(['a']));
      await subs.subscribe(socket, ['a', 'b']);
      await subs.recheck(socket, viewer(['a']));
      expect(pushes).toEqual([]);
    });

    it('hides every watched user when the policy throws, logging it, and never rejects', async () => {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        const policy = new ContactsOnlyPolicy();
        const subs = subscriptions(policy);
        const { socket, joined, pushes } = fakeSocket(viewer(['a']));
        await subs.subscribe(socket, ['a']);
        policy.failing = true;
        await expect(subs.recheck(socket, viewer(['a']))).resolves.toBeUndefined();
        expect(pushes).toEqual([['presence:update', unseen('a')]]);
        expect(joined.size).toBe(0);
        expect(error).toHaveBeenCalledWith(expect.stringContaining('"a"'), expect.anything());
      } finally {
        error.mockRestore();
      }
    });

    it('keeps the newly visible user joined when their entry cannot be read, and never rejects', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        const presence = presenceOf();
        const subs = subscriptions(new ContactsOnlyPolicy(), presence);
        const { socket, joined, pushes } = fakeSocket(viewer([]));
        await subs.subscribe(socket, ['a']);
        presence.get.mockRejectedValueOnce(new Error('Redis is down'));
        await expect(subs.recheck(socket, viewer(['a']))).resolves.toBeUndefined();
        expect([...joined]).toEqual([presenceRoom('a')]);
        expect(pushes).toEqual([]);
        expect(warn).toHaveBeenCalled();
      } finally {
        warn.mockRestore();
      }
    });

    it('runs after a subscribe already under way, so the refreshed token has the last word', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const policy = new (class extends ContactsOnlyPolicy {
        override async canSee(user: AuthenticatedUser, userId: string): Promise<boolean> {
          if (this.asked.length === 0) await gate;
          return super.canSee(user, userId);
        }
      })();
      const subs = subscriptions(policy);
      const { socket, joined, raw } = fakeSocket(viewer(['a']));
      const subscribed = subs.subscribe(socket, ['a']);
      raw.data.user = viewer([]);
      const rechecked = subs.recheck(socket, viewer([]));
      release();
      await Promise.all([subscribed, rechecked]);
      expect(joined.size).toBe(0);
    });
  });
});

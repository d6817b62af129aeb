import { describe, expect, it, jest } from '@jest/globals';
import { RealtimeException, type ConnectionManager, type RealtimeSocket } from '../../../core/websocket/index.js';
import { presenceRoom } from './presence-rooms.js';
import { PresenceSubscriptions } from './presence-subscriptions.service.js';

function fakeSocket() {
  const joined = new Set<string>();
  const socket = {
    join: jest.fn(async (room: string | string[]) => [room].flat().forEach((name) => joined.add(name))),
    leave: jest.fn(async (room: string) => void joined.delete(room)),
  };
  return { socket: socket as unknown as RealtimeSocket, joined };
}

describe('PresenceSubscriptions', () => {
  const joiner = {
    join: async (socket: RealtimeSocket, names: string[]) => void (await socket.join(names)),
  } as unknown as ConnectionManager;
  const subscriptions = () => new PresenceSubscriptions({ offlineGraceMs: 0, maxWatchedPerSocket: 3, lastSeenTtlMs: 0 }, joiner);

  it('joins the presence room of each user once', async () => {
    const subs = subscriptions();
    const { socket, joined } = fakeSocket();
    await subs.subscribe(socket, ['a', 'b', 'a']);
    await subs.subscribe(socket, ['b']);
    expect([...joined]).toEqual([presenceRoom('a'), presenceRoom('b')]);
    expect(subs.countOf(socket)).toBe(2);
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
});

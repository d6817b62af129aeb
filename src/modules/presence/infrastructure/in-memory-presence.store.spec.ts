import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { describePresenceStoreContract } from '../ports/presence-store.suite.js';
import { InMemoryPresenceStore } from './in-memory-presence.store.js';

describePresenceStoreContract('InMemoryPresenceStore', () => new InMemoryPresenceStore());

describe('InMemoryPresenceStore with a last-seen TTL', () => {
  const TTL = 60_000;
  afterEach(() => {
    jest.useRealTimers();
  });

  it('reads a user offline for longer than the TTL as never seen', async () => {
    jest.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    const store = new InMemoryPresenceStore(TTL);
    await store.markOnline('alice', Date.now());
    await store.markOffline('alice', Date.now());
    jest.setSystemTime(Date.now() + TTL - 1);
    expect((await store.get(['alice']))[0]!.lastSeenAt).not.toBeNull();
    jest.setSystemTime(Date.now() + 1);
    expect(await store.get(['alice'])).toEqual([{ userId: 'alice', status: 'offline', lastSeenAt: null }]);
  });

  it('forgets expired users as others come and go, and never a present one', async () => {
    jest.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    const store = new InMemoryPresenceStore(TTL);
    await store.markOnline('always-here', Date.now());
    for (let i = 0; i < 100; i++) {
      await store.markOnline(`u${i}`, Date.now());
      await store.markOffline(`u${i}`, Date.now());
    }
    expect(store.size).toBe(101);
    jest.setSystemTime(Date.now() + TTL);
    // The first write after a second looks at up to 1,000 of the oldest records: every expired one goes.
    await store.markOnline('new0', Date.now());
    expect(store.size).toBe(2);
    expect((await store.get(['always-here']))[0]!.status).toBe('online');
  });

  it('looks for expired records at most once a second', async () => {
    jest.useFakeTimers({ now: Date.UTC(2030, 0, 1) });
    const store = new InMemoryPresenceStore(500);
    await store.markOnline('a', Date.now());
    await store.markOffline('a', Date.now());
    jest.setSystemTime(Date.now() + 500);
    // 'a' expired, but the store looked 500 ms ago (its first write): it stays until a read or the next look.
    await store.markOnline('b', Date.now());
    expect(store.size).toBe(2);
    jest.setSystemTime(Date.now() + 500);
    await store.markOnline('c', Date.now());
    expect(store.size).toBe(2);
    expect(await store.get(['a'])).toEqual([{ userId: 'a', status: 'offline', lastSeenAt: null }]);
  });
});

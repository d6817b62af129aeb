import { describeChatMessageStoreContract } from '../ports/chat-message-store.suite.js';
import { InMemoryChatMessageStore } from './in-memory-chat-message.store.js';

describeChatMessageStoreContract('InMemoryChatMessageStore', { create: () => new InMemoryChatMessageStore() });

describe('InMemoryChatMessageStore', () => {
  it('keeps the newest maxPerRoom messages of each room, dropping the oldest first', async () => {
    const store = new InMemoryChatMessageStore({ maxPerRoom: 3 });
    const sent = [];
    for (let i = 1; i <= 5; i++) sent.push(await store.append('a', { userId: 'ann', text: `m${i}` }));
    await store.append('b', { userId: 'ann', text: 'other room' });
    await expect(store.history('a', { limit: 10 })).resolves.toEqual({ messages: sent.slice(2), hasMore: false });
    // Catching up from a dropped message starts at the oldest one kept.
    await expect(store.history('a', { after: sent[0].id, limit: 10 })).resolves.toEqual({ messages: sent.slice(2), hasMore: false });
    expect((await store.history('b', { limit: 10 })).messages).toHaveLength(1);
  });

  it('answers from the newest maxPerRoom alone while older messages wait to be dropped in a batch', async () => {
    const store = new InMemoryChatMessageStore({ maxPerRoom: 3 });
    const sent = [];
    // 3 kept + a batch of 16 waiting: 30 appends drop one batch and leave some waiting.
    for (let i = 1; i <= 30; i++) sent.push(await store.append('a', { userId: 'ann', text: `m${i}` }));
    const kept = sent.slice(-3);
    await expect(store.history('a', { limit: 10 })).resolves.toEqual({ messages: kept, hasMore: false });
    await expect(store.history('a', { limit: 2 })).resolves.toEqual({ messages: kept.slice(1), hasMore: true });
    await expect(store.history('a', { before: kept[2].id, limit: 10 })).resolves.toEqual({ messages: kept.slice(0, 2), hasMore: false });
    await expect(store.history('a', { before: kept[0].id, limit: 10 })).resolves.toEqual({ messages: [], hasMore: false });
    await expect(store.history('a', { after: sent[20].id, limit: 2 })).resolves.toEqual({ messages: kept.slice(0, 2), hasMore: true });
    await expect(store.history('a', { after: sent[0].id, limit: 10 })).resolves.toEqual({ messages: kept, hasMore: false });
  });

  it('numbers messages of one millisecond <ms>-0, <ms>-1, ... and takes sentAt from the clock', async () => {
    const store = new InMemoryChatMessageStore({ now: () => 1_700_000_000_000 });
    const first = await store.append('a', { userId: 'ann', text: 'one' });
    const second = await store.append('a', { userId: 'ann', text: 'two' });
    const elsewhere = await store.append('b', { userId: 'ann', text: 'three' });
    expect([first.id, second.id, elsewhere.id]).toEqual(['1700000000000-0', '1700000000000-1', '1700000000000-0']);
    expect(first.sentAt).toBe('2023-11-14T22:13:20.000Z');
  });

  it('never lets an id go back when the clock does', async () => {
    let now = 2_000;
    const store = new InMemoryChatMessageStore({ now: () => now });
    const first = await store.append('a', { userId: 'ann', text: 'one' });
    now = 1_000;
    const second = await store.append('a', { userId: 'ann', text: 'two' });
    now = 3_000;
    const third = await store.append('a', { userId: 'ann', text: 'three' });
    expect([first.id, second.id, third.id]).toEqual(['2000-0', '2000-1', '3000-0']);
  });

  it('forgets a room nobody wrote to for idleTtlMs, and each message renews it', async () => {
    let now = 1_700_000_000_000;
    const store = new InMemoryChatMessageStore({ idleTtlMs: 1000, now: () => now });
    await store.append('quiet', { userId: 'ann', text: 'once' });
    await store.append('busy', { userId: 'ann', text: 'one' });
    now += 900;
    await store.append('busy', { userId: 'ann', text: 'two' });
    now += 100;
    // 'quiet' idled 1000 ms: gone; 'busy' was renewed 100 ms ago.
    expect(await store.history('quiet', { limit: 10 })).toEqual({ messages: [], hasMore: false });
    expect((await store.history('busy', { limit: 10 })).messages).toHaveLength(2);
    // Rooms nobody reads are forgotten too, as others are written to.
    for (let i = 0; i < 10; i++) await store.append(`r${i}`, { userId: 'ann', text: 'x' });
    now += 1000;
    for (let i = 0; i < 6; i++) await store.append(`s${i}`, { userId: 'ann', text: 'x' });
    expect(store.size).toBe(6);
  });

  it('refuses a maxPerRoom that is not a positive integer', () => {
    expect(() => new InMemoryChatMessageStore({ maxPerRoom: 0 })).toThrow(RangeError);
  });
});

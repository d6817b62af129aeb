import { jest } from '@jest/globals';
import { describeIdempotencyStoreContract } from '../ports/idempotency-store.suite.js';
import { DAY_MS, InMemoryIdempotencyStore } from './in-memory-idempotency.store.js';

describeIdempotencyStoreContract('InMemoryIdempotencyStore', () => {
  let now = 1_000_000;
  const ttlMs = 60_000;
  const store = new InMemoryIdempotencyStore({ ttlMs, now: () => now });
  return {
    store,
    ttlMs,
    advance: async (ms) => {
      now += ms;
    },
    close: () => store.close(),
  };
});

describe('InMemoryIdempotencyStore', () => {
  const stores: InMemoryIdempotencyStore[] = [];
  const make = (options: ConstructorParameters<typeof InMemoryIdempotencyStore>[0]) => {
    const store = new InMemoryIdempotencyStore(options);
    stores.push(store);
    return store;
  };

  afterEach(() => {
    stores.splice(0).forEach((store) => store.close());
    jest.useRealTimers();
  });

  it('remembers a key for 24 hours by default', async () => {
    let now = 0;
    const store = make({ now: () => now });
    await store.once('k', async () => 'first');
    now = DAY_MS - 1;
    await expect(store.once('k', async () => 'second')).resolves.toEqual({ value: 'first', created: false });
    now = DAY_MS;
    await expect(store.once('k', async () => 'second')).resolves.toEqual({ value: 'second', created: true });
  });

  it('sweeps expired keys out on its timer, without anyone reading them', async () => {
    jest.useFakeTimers({ now: 0 });
    const store = make({ ttlMs: 1_000, sweepIntervalMs: 500 });
    await store.once('old', async () => 1);
    jest.advanceTimersByTime(600);
    await store.once('new', async () => 2);
    expect(store.size).toBe(2);
    jest.advanceTimersByTime(500);
    expect(store.size).toBe(1);
    jest.advanceTimersByTime(1_000);
    expect(store.size).toBe(0);
  });

  it('forgets the oldest keys past maxEntries', async () => {
    const store = make({ maxEntries: 2 });
    for (const k of ['a', 'b', 'c']) await store.once(k, async () => k);
    expect(store.size).toBe(2);
    await expect(store.once('a', async () => 'again')).resolves.toEqual({ value: 'again', created: true });
    await expect(store.once('c', async () => 'again')).resolves.toEqual({ value: 'c', created: false });
  });

  it('at the cap drops a batch of the oldest keys (1 % of maxEntries) and never holds more than maxEntries', async () => {
    const store = make({ maxEntries: 200 });
    for (let k = 0; k < 200; k++) await store.once(`k${k}`, async () => k);
    expect(store.size).toBe(200);
    await store.once('k200', async () => 200);
    expect(store.size).toBe(198);
    await expect(store.once('k1', async () => 'again')).resolves.toEqual({ value: 'again', created: true });
    await expect(store.once('k3', async () => 'again')).resolves.toEqual({ value: 3, created: false });
    for (let k = 201; k < 400; k++) {
      await store.once(`k${k}`, async () => k);
      expect(store.size).toBeLessThanOrEqual(200);
    }
  });

  it('stops its timer on close and on module destroy, and does not keep the process alive meanwhile', () => {
    const clear = jest.spyOn(globalThis, 'clearInterval');
    const store = make({});
    expect((store as unknown as { sweeper: NodeJS.Timeout }).sweeper.hasRef()).toBe(false);
    store.onModuleDestroy();
    expect(clear).toHaveBeenCalledWith((store as unknown as { sweeper: NodeJS.Timeout }).sweeper);
    clear.mockRestore();
  });
});

import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { IdempotencyStore } from './idempotency-store.port.js';

/** A fresh store with a retention period short enough to test, and a way to let time pass. */
export interface IdempotencyStoreFixture {
  store: IdempotencyStore;
  ttlMs: number;
  /** Moves the store's clock by `ms` (a fake clock, or a real wait for a twin whose clock is a server's). */
  advance(ms: number): Promise<void>;
  close?(): void | Promise<void>;
}

/** A promise settled from outside, to hold a `create` open while other calls arrive. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => ((resolve = ok), (reject = fail)));
  return { promise, resolve, reject };
}

/**
 * The behaviour every `IdempotencyStore` twin shares. Keys are unique per
 * test, so a twin backed by a shared server needs no flushing.
 *
 * @example
 * describeIdempotencyStoreContract('InMemoryIdempotencyStore', () => { ... return { store, ttlMs, advance }; });
 */
export function describeIdempotencyStoreContract(name: string, factory: () => IdempotencyStoreFixture | Promise<IdempotencyStoreFixture>): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    let fixture: IdempotencyStoreFixture;
    const key = (): string => `key-${randomUUID()}`;
    const value = { id: '1-0', text: 'hello', nested: { list: [1, 2] } };

    beforeEach(async () => {
      fixture = await factory();
    });

    afterEach(async () => {
      await fixture.close?.();
    });

    it('runs create for a new key and remembers its value', async () => {
      const k = key();
      const create = jest.fn(async () => value);
      await expect(fixture.store.once(k, create)).resolves.toEqual({ value, created: true });
      await expect(fixture.store.once(k, async () => ({ id: 'other' }))).resolves.toEqual({ value, created: false });
      expect(create).toHaveBeenCalledTimes(1);
    });

    it('keeps keys apart', async () => {
      const [a, b] = [key(), key()];
      await fixture.store.once(a, async () => 'a');
      await expect(fixture.store.once(b, async () => 'b')).resolves.toEqual({ value: 'b', created: true });
      await expect(fixture.store.once(a, async () => 'x')).resolves.toEqual({ value: 'a', created: false });
    });

    it('runs create once for concurrent calls with one key, and gives them all its value', async () => {
      const k = key();
      const gate = deferred<typeof value>();
      const create = jest.fn(() => gate.promise);
      const calls = Array.from({ length: 5 }, () => fixture.store.once(k, create));
      gate.resolve(value);
      const results = await Promise.all(calls);
      expect(create).toHaveBeenCalledTimes(1);
      expect(results.map((result) => result.value)).toEqual(Array(5).fill(value));
      expect(results.filter((result) => result.created)).toHaveLength(1);
    });

    it('gives the key back when create fails: the caller gets the error, the next call runs create again', async () => {
      const k = key();
      await expect(fixture.store.once(k, async () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
      await expect(fixture.store.once(k, async () => value)).resolves.toEqual({ value, created: true });
    });

    it('lets a call that waited on a failed create run its own', async () => {
      const k = key();
      const gate = deferred<string>();
      const first = fixture.store.once(k, () => gate.promise);
      const second = fixture.store.once(k, async () => 'second');
      gate.reject(new Error('store down'));
      await expect(first).rejects.toThrow('store down');
      await expect(second).resolves.toEqual({ value: 'second', created: true });
    });

    it('forgets a key once its retention period has passed', async () => {
      const k = key();
      await fixture.store.once(k, async () => 'first');
      await fixture.advance(Math.floor(fixture.ttlMs / 2));
      await expect(fixture.store.once(k, async () => 'second')).resolves.toEqual({ value: 'first', created: false });
      await fixture.advance(fixture.ttlMs);
      await expect(fixture.store.once(k, async () => 'second')).resolves.toEqual({ value: 'second', created: true });
    });
  });
}

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
// The runner plumbing is the core's, shared by every module's port suites.
import { assertDeepEqual, resolveSuiteRunner, runInTenant, type SuiteRunner } from '../../../core/websocket/internal.js';
import type { IdempotencyStore } from './idempotency-store.port.js';

export type { SuiteRunner };

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

/** Wraps `fn` to count its calls, in place of a runner's mock function. */
function counted<T>(fn: () => Promise<T>): { fn: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    fn: () => {
      calls++;
      return fn();
    },
    calls: () => calls,
  };
}

/**
 * The behaviour every `IdempotencyStore` twin shares. Keys are unique per
 * test, so a twin backed by a shared server needs no flushing. Outside Jest,
 * pass the runner's functions last.
 *
 * @example
 * const fixture = () => { ... return { store, ttlMs, advance }; };
 * // Jest (globals):
 * describeIdempotencyStoreContract('InMemoryIdempotencyStore', fixture);
 * // node:test:
 * import { describe, it, beforeEach, afterEach } from 'node:test';
 * describeIdempotencyStoreContract('InMemoryIdempotencyStore', fixture, { describe, it, beforeEach, afterEach });
 */
export function describeIdempotencyStoreContract(
  name: string,
  factory: () => IdempotencyStoreFixture | Promise<IdempotencyStoreFixture>,
  runner?: SuiteRunner,
): void {
  const { describe, it, beforeEach, afterEach } = resolveSuiteRunner(runner);
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
      const create = counted(async () => value);
      assertDeepEqual(await fixture.store.once(k, create.fn), { value, created: true });
      assertDeepEqual(await fixture.store.once(k, async () => ({ id: 'other' })), { value, created: false });
      assert.equal(create.calls(), 1);
    });

    it('keeps tenants apart: one key in two tenant scopes is two keys, and each remembers its own value', async () => {
      const k = key();
      assertDeepEqual(await runInTenant('acme', () => fixture.store.once(k, async () => 'acme')), { value: 'acme', created: true });
      assertDeepEqual(await runInTenant('globex', () => fixture.store.once(k, async () => 'globex')), { value: 'globex', created: true });
      assertDeepEqual(await fixture.store.once(k, async () => 'none'), { value: 'none', created: true });
      assertDeepEqual(await runInTenant('acme', () => fixture.store.once(k, async () => 'again')), { value: 'acme', created: false });
    });

    it('keeps keys apart', async () => {
      const [a, b] = [key(), key()];
      await fixture.store.once(a, async () => 'a');
      assertDeepEqual(await fixture.store.once(b, async () => 'b'), { value: 'b', created: true });
      assertDeepEqual(await fixture.store.once(a, async () => 'x'), { value: 'a', created: false });
    });

    it('runs create once for concurrent calls with one key, and gives them all its value', async () => {
      const k = key();
      const gate = deferred<typeof value>();
      const create = counted(() => gate.promise);
      const calls = Array.from({ length: 5 }, () => fixture.store.once(k, create.fn));
      gate.resolve(value);
      const results = await Promise.all(calls);
      assert.equal(create.calls(), 1);
      assertDeepEqual(
        results.map((result) => result.value),
        Array(5).fill(value),
      );
      assert.equal(results.filter((result) => result.created).length, 1);
    });

    it('gives the key back when create fails: the caller gets the error, the next call runs create again', async () => {
      const k = key();
      await assert.rejects(
        fixture.store.once(k, async () => Promise.reject(new Error('store down'))),
        { message: /store down/ },
      );
      assertDeepEqual(await fixture.store.once(k, async () => value), { value, created: true });
    });

    it('lets a call that waited on a failed create run its own', async () => {
      const k = key();
      const gate = deferred<string>();
      const first = fixture.store.once(k, () => gate.promise);
      const second = fixture.store.once(k, async () => 'second');
      gate.reject(new Error('store down'));
      await assert.rejects(first, { message: /store down/ });
      assertDeepEqual(await second, { value: 'second', created: true });
    });

    it('forgets a key once its retention period has passed', async () => {
      const k = key();
      await fixture.store.once(k, async () => 'first');
      await fixture.advance(Math.floor(fixture.ttlMs / 2));
      assertDeepEqual(await fixture.store.once(k, async () => 'second'), { value: 'first', created: false });
      await fixture.advance(fixture.ttlMs);
      assertDeepEqual(await fixture.store.once(k, async () => 'second'), { value: 'second', created: true });
    });
  });
}

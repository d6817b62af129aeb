import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { RedisClients } from '../../../core/websocket/internal.js';
import { redisModes } from '../../../../test/support/redis-modes.js';
import { describeIdempotencyStoreContract } from '../ports/idempotency-store.suite.js';
import { DAY_MS } from './in-memory-idempotency.store.js';
import { RedisIdempotencyStore } from './redis-idempotency.store.js';

/** A promise settled from outside, to hold a `create` open. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => ((resolve = ok), (reject = fail)));
  return { promise, resolve, reject };
}

describe.each(redisModes())('on $name', (mode) => {
  let clients: RedisClients;
  /** Clients of another node on the same Redis. */
  let otherNode: RedisClients;

  beforeAll(async () => {
    clients = await mode.connect();
    otherNode = await mode.connect('other');
  });

  afterAll(async () => {
    await mode.clear(clients);
    await otherNode?.close();
    await clients?.close();
    await mode.stop();
  });

  // Redis keeps its own clock, so time passes for real: a retention short enough to wait out.
  describeIdempotencyStoreContract('RedisIdempotencyStore', () => {
    const ttlMs = 400;
    return {
      store: new RedisIdempotencyStore(clients, { ttlMs }),
      ttlMs,
      advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
  });

  describe('RedisIdempotencyStore', () => {
    const key = (): string => `key-${randomUUID()}`;
    const nodes = () => [new RedisIdempotencyStore(clients), new RedisIdempotencyStore(otherNode)] as const;

    it('runs create once for concurrent calls with one key on two nodes, and gives every call its value', async () => {
      const [node1, node2] = nodes();
      for (let round = 0; round < 10; round++) {
        const k = key();
        const create = jest.fn(async () => ({ round, at: Date.now() }));
        const results = await Promise.all([node1, node2, node1, node2].map((store) => store.once(k, create)));
        expect(create).toHaveBeenCalledTimes(1);
        expect(results.filter((result) => result.created)).toHaveLength(1);
        expect(new Set(results.map((result) => JSON.stringify(result.value))).size).toBe(1);
      }
    });

    it('makes a call on another node wait for a create in progress, then gives it that value', async () => {
      const [node1, node2] = nodes();
      const k = key();
      const gate = deferred<string>();
      const first = node1.once(k, () => gate.promise);
      const secondCreate = jest.fn(async () => 'second');
      await waitFor(async () => (await clients.command.get(node1.key(k)))?.startsWith('pending:') === true);
      const second = node2.once(k, secondCreate);
      gate.resolve('first');
      await expect(first).resolves.toEqual({ value: 'first', created: true });
      await expect(second).resolves.toEqual({ value: 'first', created: false });
      expect(secondCreate).not.toHaveBeenCalled();
    });

    it('reserves a key only briefly while create runs, then remembers the value for 24 hours', async () => {
      const store = new RedisIdempotencyStore(clients);
      const k = key();
      const gate = deferred<string>();
      const pending = store.once(k, () => gate.promise);
      await waitFor(async () => (await clients.command.exists(store.key(k))) === 1);
      const reserved = await clients.command.pttl(store.key(k));
      expect(reserved).toBeGreaterThan(0);
      expect(reserved).toBeLessThanOrEqual(10_000);
      gate.resolve('done');
      await pending;
      expect(await clients.command.pttl(store.key(k))).toBeGreaterThan(DAY_MS - 60_000);
    });

    it('takes over the key of a node that died while it held the reservation, once the reservation expires', async () => {
      const store = new RedisIdempotencyStore(clients);
      const k = key();
      await clients.command.set(store.key(k), 'pending:a-node-that-died', 'PX', 300);
      const started = Date.now();
      await expect(store.once(k, async () => 'mine')).resolves.toEqual({ value: 'mine', created: true });
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    });

    it('fails, without running create, when the key stays reserved past maxWaitMs', async () => {
      const store = new RedisIdempotencyStore(clients, { maxWaitMs: 200 });
      const k = key();
      await clients.command.set(store.key(k), 'pending:a-slow-node', 'PX', 10_000);
      const create = jest.fn(async () => 'never');
      const started = Date.now();
      await expect(store.once(k, create)).rejects.toThrow(/held idempotency key/);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(create).not.toHaveBeenCalled();
    });

    it('keeps the value already stored when a create that lost its reservation finishes late', async () => {
      const store = new RedisIdempotencyStore(clients);
      const k = key();
      const gate = deferred<string>();
      const late = store.once(k, () => gate.promise);
      await waitFor(async () => (await clients.command.exists(store.key(k))) === 1);
      // The reservation expires while create runs, and another call stores its value.
      await clients.command.del(store.key(k));
      await expect(store.once(k, async () => 'on time')).resolves.toEqual({ value: 'on time', created: true });
      gate.resolve('late');
      await expect(late).resolves.toEqual({ value: 'late', created: true });
      await expect(store.once(k, async () => 'again')).resolves.toEqual({ value: 'on time', created: false });
    });

    it('round-trips values through JSON, undefined included', async () => {
      const store = new RedisIdempotencyStore(clients);
      const message = { id: '1-0', text: '😀 \ud800 "quoted"', nested: { list: [1, null] } };
      const k = key();
      await store.once(k, async () => message);
      await expect(store.once(k, async () => 'other')).resolves.toEqual({ value: message, created: false });
      const none = key();
      await store.once(none, async () => undefined);
      await expect(store.once(none, async () => 'other')).resolves.toEqual({ value: undefined, created: false });
    });

    it('keeps keys that differ only in lone surrogates apart, and keeps key names short', async () => {
      const store = new RedisIdempotencyStore(clients);
      const base = key();
      await store.once(`${base}\ud800`, async () => 'a');
      await expect(store.once(`${base}\ud801`, async () => 'b')).resolves.toEqual({ value: 'b', created: true });
      expect(store.key('x'.repeat(10_000))).toMatch(new RegExp(`^${clients.prefix}idempotency:[0-9a-f]{64}$`));
    });

    it('refuses options that are not positive integers', () => {
      expect(() => new RedisIdempotencyStore(clients, { ttlMs: 0 })).toThrow(RangeError);
      expect(() => new RedisIdempotencyStore(clients, { pendingTtlMs: 1.5 })).toThrow(RangeError);
      expect(() => new RedisIdempotencyStore(clients, { maxWaitMs: -1 })).toThrow(RangeError);
    });
  });

  async function waitFor(check: () => Promise<boolean>, ms = 3_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
});

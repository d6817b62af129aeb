import { Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IdempotencyStore, type IdempotentResult } from '../ports/idempotency-store.port.js';
import { DAY_MS } from './in-memory-idempotency.store.js';
import type { RedisCommandSource } from './redis-chat-message.store.js';
import { scopedKey } from '../../../core/websocket/internal.js';

export interface RedisIdempotencyStoreOptions {
  /** How long a key is remembered once its value is stored. @default 86400000 (24 hours) */
  ttlMs?: number;
  /**
   * How long a reservation holds a key while `create` runs. A node that dies
   * mid-`create` blocks the key for no longer than this. @default 10000
   */
  pendingTtlMs?: number;
  /** How long a call waits for another call's `create` before it fails. @default 5000 */
  maxWaitMs?: number;
}

/** Marks a reserved key; a stored value is a JSON object, so it can never start like this. */
const PENDING = 'pending:';

// KEYS[1]: the key. ARGV: the value and its TTL.
// Stores the value unless another call already stored one; a reservation
// that expired and was taken by another call is overwritten, so its waiters
// get a value now rather than a second one later.
const FILL = `
local current = redis.call('GET', KEYS[1])
if current and string.sub(current, 1, ${PENDING.length}) ~= '${PENDING}' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

// Gives the key back only while it is still our reservation.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * The cluster store: `SET <key> pending:<token> NX PX pendingTtlMs` reserves
 * a key for the one call (on any node) that runs `create`; it then stores
 * `{"value": ...}` for `ttlMs`, or deletes its reservation when `create`
 * fails. Every other call polls the key with a short backoff until it holds
 * a value (returned as a JSON copy), takes the reservation itself when the
 * key is gone, and fails after `maxWaitMs`. Keys are
 * `<prefix>idempotency:<sha256 of the key>`: bounded in length, and distinct
 * for every distinct JavaScript string.
 */
export class RedisIdempotencyStore extends IdempotencyStore {
  private readonly logger = new Logger('RedisIdempotencyStore');
  private readonly ttlMs: number;
  private readonly pendingTtlMs: number;
  private readonly maxWaitMs: number;

  /** @internal */
  constructor(
    private readonly redis: RedisCommandSource,
    options: RedisIdempotencyStoreOptions = {},
  ) {
    super();
    this.ttlMs = options.ttlMs ?? DAY_MS;
    this.pendingTtlMs = options.pendingTtlMs ?? 10_000;
    this.maxWaitMs = options.maxWaitMs ?? 5_000;
    for (const [name, value] of Object.entries({ ttlMs: this.ttlMs, pendingTtlMs: this.pendingTtlMs, maxWaitMs: this.maxWaitMs })) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
    }
  }

  /** The Redis key of a store key. */
  key(key: string): string {
    // UTF-16 code units, not UTF-8: two strings that differ only in lone surrogates stay two keys.
    return `${this.redis.prefix}idempotency:${createHash('sha256').update(scopedKey(key), 'utf16le').digest('hex')}`;
  }

  async once<T>(key: string, create: () => Promise<T>): Promise<IdempotentResult<T>> {
    const redisKey = this.key(key);
    const deadline = Date.now() + this.maxWaitMs;
    for (let attempt = 0; ; attempt++) {
      const reservation = `${PENDING}${randomUUID()}`;
      if ((await this.redis.command.set(redisKey, reservation, 'PX', this.pendingTtlMs, 'NX')) === 'OK') {
        return { value: await this.run(redisKey, reservation, create), created: true };
      }
      const current = await this.redis.command.get(redisKey);
      if (current !== null && !current.startsWith(PENDING)) return { value: (JSON.parse(current) as { value: T }).value, created: false };
      if (Date.now() >= deadline) {
        throw new Error(`Another call has held idempotency key ${redisKey} for over ${this.maxWaitMs} ms; try again later`);
      }
      // A key gone between the two commands (released or expired) is reserved again at once.
      if (current !== null) await sleep(Math.min(10 * 2 ** attempt, 200, Math.max(1, deadline - Date.now())));
    }
  }

  /** Runs `create` under our reservation, then stores its value, or gives the key back when it fails. */
  private async run<T>(redisKey: string, reservation: string, create: () => Promise<T>): Promise<T> {
    let value: T;
    try {
      value = await create();
    } catch (error) {
      // If the release fails too, the reservation still expires after pendingTtlMs.
      await this.redis.command.eval(RELEASE, 1, redisKey, reservation).catch((releaseError: Error) => {
        this.logger.warn(`Could not release ${redisKey} after a failed create: ${releaseError.message}`);
      });
      throw error;
    }
    try {
      await this.redis.command.eval(FILL, 1, redisKey, JSON.stringify({ value }), this.ttlMs);
    } catch (error) {
      // The effect happened: report it. Only a retry after the reservation expires may repeat it.
      this.logger.warn(`Could not store the value of ${redisKey}: ${(error as Error).message}`);
    }
    return value;
  }
}

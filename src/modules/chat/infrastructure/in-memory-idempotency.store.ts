import type { OnModuleDestroy } from '@nestjs/common';
import { IdempotencyStore, type IdempotentResult } from '../ports/idempotency-store.port.js';
import { scopedKey } from '../../../core/websocket/internal.js';

/** The protocol's idempotency window for `chat:send`. */
export const DAY_MS = 24 * 60 * 60 * 1000;

export interface InMemoryIdempotencyStoreOptions {
  /** How long a key is remembered. @default 86400000 (24 hours) */
  ttlMs?: number;
  /** How often expired keys are swept out; an expired key is also dropped when it is next read. @default 60000 */
  sweepIntervalMs?: number;
  /**
   * Most keys kept; past it the oldest 1 % are forgotten early, which only
   * weakens deduplication of those old keys. @default 100000
   */
  maxEntries?: number;
  /** The clock expiry is read from (tests pass their own). @default Date.now */
  now?: () => number;
}

interface Entry {
  expiresAt: number;
  /** Set while the first call's `create` runs; concurrent calls wait on it. */
  pending?: Promise<unknown>;
  value?: unknown;
}

/**
 * The embedded store: one process. Memory stays bounded by lazy expiry, a
 * periodic sweep and `maxEntries`. The sweep timer is unref'd and cleared when
 * the Nest module is destroyed (or on `close()`).
 */
export class InMemoryIdempotencyStore extends IdempotencyStore implements OnModuleDestroy {
  // Every key lives `ttlMs` from its insertion, so the Map's insertion order is also its expiry order.
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: InMemoryIdempotencyStoreOptions = {}) {
    super();
    this.ttlMs = options.ttlMs ?? DAY_MS;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  /** Keys currently held, expired or not (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  async once<T>(unscoped: string, create: () => Promise<T>): Promise<IdempotentResult<T>> {
    // One tenant's key never meets another's.
    const key = scopedKey(unscoped);
    for (let entry = this.live(key); entry; entry = this.live(key)) {
      if (!entry.pending) return { value: entry.value as T, created: false };
      try {
        return { value: (await entry.pending) as T, created: false };
      } catch {
        // The first attempt failed and gave the key back: take our own turn.
        if (this.entries.get(key) === entry) this.entries.delete(key);
      }
    }
    // Reserved synchronously, before anything is awaited, so a concurrent call finds it.
    const pending = (async () => create())();
    const entry: Entry = { expiresAt: this.now() + this.ttlMs, pending };
    this.entries.set(key, entry);
    this.trim();
    try {
      const value = await pending;
      entry.value = value;
      entry.pending = undefined;
      return { value, created: true };
    } catch (error) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw error;
    }
  }

  /** Drops every expired key. */
  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      if (!entry.pending) this.entries.delete(key);
    }
  }

  /** Stops the sweep timer; the store keeps working, with lazy expiry only. */
  close(): void {
    clearInterval(this.sweeper);
  }

  onModuleDestroy(): void {
    this.close();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.pending || entry.expiresAt > this.now()) return entry;
    this.entries.delete(key);
    return undefined;
  }

  /**
   * Past `maxEntries`, drops the oldest keys down to 1 % below it. A Map keeps
   * the slots of deleted keys until it rehashes, and a walk from its start
   * steps over each one: dropping a batch at a time pays that walk once per
   * batch rather than once per new key, which at the cap cost more than the
   * rest of a send.
   */
  private trim(): void {
    if (this.entries.size <= this.maxEntries) return;
    const target = this.maxEntries - Math.floor(this.maxEntries / 100);
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= target) return;
      if (!entry.pending) this.entries.delete(key);
    }
  }
}

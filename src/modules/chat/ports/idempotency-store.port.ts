/** The outcome of `IdempotencyStore.once`. */
export interface IdempotentResult<T> {
  value: T;
  /** True for the one call that ran `create`; false for every call that got the remembered value. */
  created: boolean;
}

/**
 * Remembers the result of an operation under a key for the store's retention
 * period, so a retried request gets the first answer instead of a second
 * effect. The in-memory twin serves one node; a Redis twin (`SET NX PX` to
 * reserve, then fill) can serve the cluster. Values must survive a JSON round
 * trip. Keys are kept per tenant: an adapter stores `scopedKey(key)`. Both
 * run `describeIdempotencyStoreContract`.
 */
export abstract class IdempotencyStore {
  /**
   * Runs `create` at most once per live key and remembers its value. A
   * concurrent call with the same key waits for that value rather than
   * running `create` again. When `create` rejects, the key is released: the
   * caller gets the error and a waiting call tries again.
   */
  abstract once<T>(key: string, create: () => Promise<T>): Promise<IdempotentResult<T>>;
}

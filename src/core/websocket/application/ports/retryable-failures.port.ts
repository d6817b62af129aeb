/**
 * Tells a failure that a retry may cure (a dependency down, timed out, or
 * refusing writes) from a bug. The router answers the first kind
 * `UNAVAILABLE` with `details.retryAfterMs`, the second `INTERNAL`. The Redis
 * clients implement it for Redis's failures.
 */
export abstract class RetryableFailures {
  abstract isRetryable(error: unknown): boolean;
}

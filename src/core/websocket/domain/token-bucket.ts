/** One holder's bucket: what is left in it (in thousandths of a token) and when it was last counted. */
export interface Bucket {
  credit: number;
  at: number;
}

/** Thousandths of a token: refills of whole milliseconds add whole numbers, so counting stays exact. */
const TOKEN = 1000;

/**
 * A token bucket: up to `burst` events at once, refilled at `perSecond`
 * tokens a second. Each holder (a socket) keeps its own `Bucket`, so a check
 * is a few arithmetic operations on an object the holder already has: no key
 * to build, no map to look up, no timer, no promise. It runs before every
 * routed event.
 */
export class TokenBucket {
  private readonly capacity: number;

  constructor(
    private readonly perSecond: number,
    burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) throw new RangeError('A token bucket needs perSecond > 0 and burst >= 1');
    this.capacity = burst * TOKEN;
  }

  /** A full bucket, for a new holder. `now`: the caller's reading of the same clock, if it has one. */
  create(now: number = this.now()): Bucket {
    return { credit: this.capacity, at: now };
  }

  /** Takes one token; `false` (and nothing taken) when the bucket is empty. `now`: the caller's reading of the same clock, if it has one. */
  take(bucket: Bucket, now: number = this.now()): boolean {
    // perSecond tokens a second are perSecond thousandths a millisecond.
    const credit = Math.min(this.capacity, bucket.credit + (now - bucket.at) * this.perSecond);
    bucket.at = now;
    if (credit < TOKEN) {
      bucket.credit = credit;
      return false;
    }
    bucket.credit = credit - TOKEN;
    return true;
  }
}

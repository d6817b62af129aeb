import { TokenBucket } from './token-bucket.js';

function clocked(perSecond: number, burst: number) {
  let now = 1_000;
  const limiter = new TokenBucket(perSecond, burst, () => now);
  return { limiter, bucket: limiter.create(), advance: (ms: number) => void (now += ms) };
}

function takes(limiter: TokenBucket, bucket: ReturnType<TokenBucket['create']>, count: number): number {
  let taken = 0;
  for (let i = 0; i < count; i++) if (limiter.take(bucket)) taken++;
  return taken;
}

describe('TokenBucket', () => {
  it('lets a full burst through at once, then refuses', () => {
    const { limiter, bucket } = clocked(50, 100);
    expect(takes(limiter, bucket, 150)).toBe(100);
    expect(limiter.take(bucket)).toBe(false);
  });

  it('refills at perSecond, continuously, never past the burst', () => {
    const { limiter, bucket, advance } = clocked(50, 100);
    takes(limiter, bucket, 100);
    advance(100); // 5 tokens
    expect(takes(limiter, bucket, 10)).toBe(5);
    advance(19); // 0.95 token: not yet one
    expect(limiter.take(bucket)).toBe(false);
    advance(1);
    expect(limiter.take(bucket)).toBe(true);
    advance(60_000);
    expect(takes(limiter, bucket, 500)).toBe(100);
  });

  it('holds a steady sender to perSecond over time, whatever the burst', () => {
    const { limiter, bucket, advance } = clocked(50, 100);
    let taken = 0;
    // 200 attempts a second for 10 seconds.
    for (let i = 0; i < 2_000; i++) {
      if (limiter.take(bucket)) taken++;
      advance(5);
    }
    expect(taken).toBeGreaterThanOrEqual(100 + 50 * 10 - 1);
    expect(taken).toBeLessThanOrEqual(100 + 50 * 10 + 1);
  });

  it('keeps refused attempts free: a client that keeps trying still gets its refill', () => {
    const { limiter, bucket, advance } = clocked(10, 1);
    expect(limiter.take(bucket)).toBe(true);
    for (let i = 0; i < 99; i++) {
      advance(1);
      limiter.take(bucket);
    }
    // 99 ms of 100 have passed: almost one token.
    expect(limiter.take(bucket)).toBe(false);
    advance(1);
    expect(limiter.take(bucket)).toBe(true);
  });

  it('gives every holder a bucket of its own', () => {
    const { limiter, bucket } = clocked(1, 2);
    const other = limiter.create();
    expect(takes(limiter, bucket, 5)).toBe(2);
    expect(takes(limiter, other, 5)).toBe(2);
  });

  it('refuses a rate or burst that could never let an event through', () => {
    expect(() => new TokenBucket(0, 10)).toThrow(RangeError);
    expect(() => new TokenBucket(10, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(Number.NaN, 10)).toThrow(RangeError);
  });
});

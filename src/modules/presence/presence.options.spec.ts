import { describe, expect, it } from '@jest/globals';
import { resolvePresenceOptions } from './presence.options.js';

describe('resolvePresenceOptions', () => {
  it('applies the defaults', () => {
    expect(resolvePresenceOptions({})).toEqual({ offlineGraceMs: 5000, maxWatchedPerSocket: 1000, lastSeenTtlMs: 2_592_000_000 });
  });

  it('stops start-up naming the bad option', () => {
    expect(() => resolvePresenceOptions({ offlineGraceMs: -1 })).toThrow(/PresenceModule options: offlineGraceMs/);
    expect(() => resolvePresenceOptions({ maxWatchedPerSocket: 0 })).toThrow(/maxWatchedPerSocket/);
  });
});

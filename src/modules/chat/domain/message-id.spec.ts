import { compareMessageIds, formatMessageId, isMessageId } from './message-id.js';

describe('message ids', () => {
  it('accepts canonical <ms>-<seq> ids only', () => {
    for (const id of ['0-0', '1700000000000-0', '1-12', '99999999999999999999-99999999999999999999']) expect(isMessageId(id)).toBe(true);
    for (const id of ['', '1', '1-', '-1', '01-0', '1-01', '1-2-3', ' 1-0', '1-0 ', 'a-0', '1.5-0', '123456789012345678901-0', 1, null]) {
      expect(isMessageId(id)).toBe(false);
    }
  });

  it('compares numerically, part by part', () => {
    expect(compareMessageIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareMessageIds('10-0', '9-0')).toBeGreaterThan(0);
    expect(compareMessageIds('5-9', '5-10')).toBeLessThan(0);
    expect(compareMessageIds('5-10', '6-0')).toBeLessThan(0);
    expect(compareMessageIds('5-3', '5-3')).toBe(0);
    // Beyond Number.MAX_SAFE_INTEGER, where parsing to numbers would tie.
    expect(compareMessageIds('18446744073709551614-0', '18446744073709551615-0')).toBeLessThan(0);
  });

  it('sorts like the order they were formatted in', () => {
    const ids = [formatMessageId(100, 2), formatMessageId(99, 7), formatMessageId(100, 10), formatMessageId(100, 0)];
    expect(ids.sort(compareMessageIds)).toEqual(['99-7', '100-0', '100-2', '100-10']);
  });

  it('throws a TypeError for a malformed id', () => {
    expect(() => compareMessageIds('1-0', 'x')).toThrow(TypeError);
    expect(() => compareMessageIds('x', '1-0')).toThrow(TypeError);
  });
});

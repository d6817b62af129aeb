import { extractMentions, MAX_MENTIONS } from './mentions.js';

describe('extractMentions', () => {
  it('finds each mentioned user once, in order of appearance', () => {
    expect(extractMentions('@bob and @carol_1, then @bob again, @d.e-f', 'ann')).toEqual(['bob', 'carol_1', 'd.e-f']);
  });

  it('leaves out the sender', () => {
    expect(extractMentions('@ann talking to @bob', 'ann')).toEqual(['bob']);
  });

  it('takes trailing dots as punctuation and ignores addresses and a bare @', () => {
    expect(extractMentions('thanks @bob. mail ann@example.com or @ alone, or @...', 'ann')).toEqual(['bob']);
  });

  it('is case-sensitive, like user ids', () => {
    expect(extractMentions('@Bob @bob', 'ann')).toEqual(['Bob', 'bob']);
  });

  it(`stops at ${MAX_MENTIONS} users`, () => {
    const text = Array.from({ length: 30 }, (_, i) => `@u${i}`).join(' ');
    expect(extractMentions(text, 'ann')).toEqual(Array.from({ length: MAX_MENTIONS }, (_, i) => `u${i}`));
  });
});

describe('extractMentions on a long run of dots', () => {
  it('keeps inner dots and drops trailing ones (trimmed without a backtracking regex)', () => {
    expect(extractMentions(`@${'.'.repeat(3998)}a @${'.'.repeat(3998)}`, 'sender')).toEqual([`${'.'.repeat(3998)}a`]);
  });
});

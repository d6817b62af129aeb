import { historySchema, joinSchema, sendSchema, typingSchema } from './chat.schemas.js';

describe('chat schemas', () => {
  it('takes room ids of 1 to 64 characters of [A-Za-z0-9_.-]', () => {
    for (const roomId of ['a', 'A.b-c_9', 'x'.repeat(64)]) expect(joinSchema.safeParse({ roomId }).success).toBe(true);
    for (const roomId of ['', 'x'.repeat(65), 'a b', 'a:b', 'é', 'a/b', 1, undefined])
      expect(joinSchema.safeParse({ roomId }).success).toBe(false);
  });

  it('takes text of 1 to 4000 characters that is not only white space', () => {
    const send = (text: unknown) => sendSchema.safeParse({ roomId: 'a', text }).success;
    expect(send('x')).toBe(true);
    expect(send(' padded ')).toBe(true);
    expect(send('x'.repeat(4000))).toBe(true);
    expect(send('')).toBe(false);
    expect(send(' \n\t\u00a0')).toBe(false);
    expect(send('x'.repeat(4001))).toBe(false);
    expect(send(42)).toBe(false);
  });

  it('takes a clientMsgId of 1 to 64 characters, or none', () => {
    const send = (clientMsgId: unknown) => sendSchema.safeParse({ roomId: 'a', text: 'hi', clientMsgId }).success;
    expect(send(undefined)).toBe(true);
    expect(send('c'.repeat(64))).toBe(true);
    expect(send('')).toBe(false);
    expect(send('c'.repeat(65))).toBe(false);
  });

  it('drops fields it does not know instead of refusing them', () => {
    expect(sendSchema.parse({ roomId: 'a', text: 'hi', mood: 'happy' })).toEqual({ roomId: 'a', text: 'hi' });
  });

  it('wants a boolean typing flag', () => {
    expect(typingSchema.safeParse({ roomId: 'a', typing: true }).success).toBe(true);
    expect(typingSchema.safeParse({ roomId: 'a', typing: 'yes' }).success).toBe(false);
  });

  it('defaults the history limit to 50 and bounds it to 1..100', () => {
    expect(historySchema.parse({ roomId: 'a' })).toEqual({ roomId: 'a', limit: 50 });
    expect(historySchema.safeParse({ roomId: 'a', limit: 100 }).success).toBe(true);
    for (const limit of [0, 101, 1.5, '10']) expect(historySchema.safeParse({ roomId: 'a', limit }).success).toBe(false);
  });

  it('takes a before or an after message id, not both, and no malformed one', () => {
    expect(historySchema.safeParse({ roomId: 'a', before: '1-0' }).success).toBe(true);
    expect(historySchema.safeParse({ roomId: 'a', after: '1-0' }).success).toBe(true);
    const both = historySchema.safeParse({ roomId: 'a', before: '1-0', after: '2-0' });
    expect(both.success).toBe(false);
    expect(both.error?.issues[0]).toMatchObject({ path: ['after'], message: 'give before or after, not both' });
    for (const cursor of ['garbage', '1', '01-0', '', 'x'.repeat(5000)]) {
      expect(historySchema.safeParse({ roomId: 'a', before: cursor }).success).toBe(false);
    }
  });
});

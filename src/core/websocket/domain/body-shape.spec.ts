import { screenBody } from './body-shape.js';

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};
const nestedArrays = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels));

describe('screenBody', () => {
  it('accepts scalars, flat bodies and nesting up to the bound', () => {
    for (const body of [undefined, null, 0, 'text', true, {}, [], { roomId: 'a', text: 'b' }, nested(32), nestedArrays(32)]) {
      expect(screenBody(body, 32)).toBeUndefined();
    }
  });

  it('refuses nesting one level past the bound, naming where', () => {
    expect(screenBody(nested(33), 32)).toEqual({ path: Array(32).fill('a').join('.'), message: 'nested deeper than 32 levels' });
    expect(screenBody(nestedArrays(33), 32)?.message).toBe('nested deeper than 32 levels');
  });

  it('checks 20,000 levels without overflowing its own stack, and fast', () => {
    const started = performance.now();
    expect(screenBody(nestedArrays(20_000), 32)?.message).toBe('nested deeper than 32 levels');
    expect(screenBody(nested(20_000), 32)?.message).toBe('nested deeper than 32 levels');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('refuses a __proto__ key at any depth', () => {
    expect(screenBody(JSON.parse('{"__proto__":{"admin":true}}'), 32)).toEqual({ path: '__proto__', message: 'this key is not accepted' });
    expect(screenBody(JSON.parse('{"a":[{"__proto__":{}}]}'), 32)?.path).toBe('a.0.__proto__');
  });

  it('removes constructor and prototype keys at any depth, and keeps everything else', () => {
    const body = JSON.parse(
      '{"constructor":{"prototype":{"admin":true}},"a":[{"prototype":1,"b":{"constructor":"x","c":2}}],"text":"constructor"}',
    );
    expect(screenBody(body, 32)).toBeUndefined();
    expect(body).toEqual({ a: [{ b: { c: 2 } }], text: 'constructor' });
    expect(Object.keys(body)).toEqual(['a', 'text']);
  });

  it('treats binary attachments as leaves', () => {
    expect(screenBody({ file: Buffer.alloc(1024) }, 2)).toBeUndefined();
  });
});

import { bodyShapeIssue } from './body-shape.js';

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};
const nestedArrays = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels));

describe('bodyShapeIssue', () => {
  it('accepts scalars, flat bodies and nesting up to the bound', () => {
    for (const body of [undefined, null, 0, 'text', true, {}, [], { roomId: 'a', text: 'b' }, nested(32), nestedArrays(32)]) {
      expect(bodyShapeIssue(body, 32)).toBeUndefined();
    }
  });

  it('refuses nesting one level past the bound, naming where', () => {
    expect(bodyShapeIssue(nested(33), 32)).toEqual({ path: Array(32).fill('a').join('.'), message: 'nested deeper than 32 levels' });
    expect(bodyShapeIssue(nestedArrays(33), 32)?.message).toBe('nested deeper than 32 levels');
  });

  it('checks 20,000 levels without overflowing its own stack, and fast', () => {
    const started = performance.now();
    expect(bodyShapeIssue(nestedArrays(20_000), 32)?.message).toBe('nested deeper than 32 levels');
    expect(bodyShapeIssue(nested(20_000), 32)?.message).toBe('nested deeper than 32 levels');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('refuses a __proto__ key at any depth, and leaves constructor and prototype to the schema', () => {
    expect(bodyShapeIssue(JSON.parse('{"__proto__":{"admin":true}}'), 32)).toEqual({ path: '__proto__', message: 'this key is not accepted' });
    expect(bodyShapeIssue(JSON.parse('{"a":[{"__proto__":{}}]}'), 32)?.path).toBe('a.0.__proto__');
    expect(bodyShapeIssue({ constructor: { prototype: { admin: true } } }, 32)).toBeUndefined();
  });

  it('treats binary attachments as leaves', () => {
    expect(bodyShapeIssue({ file: Buffer.alloc(1024) }, 2)).toBeUndefined();
  });
});

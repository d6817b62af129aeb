/** Keys that rewrite an object's prototype when a body is copied with `Object.assign` or merged. */
const PROTOTYPE_KEYS = new Set(['__proto__']);

/**
 * The first problem with the shape of a client's event body, before any
 * schema sees it: nesting deeper than `maxDepth` (deep objects overflow the
 * stack of the recursive encoders a body may later pass through: Socket.IO's
 * binary check, JSON.stringify, the Redis adapter's msgpack), or a
 * `__proto__` key. Iterative, so the check itself cannot overflow; it stops
 * at the first problem. `undefined` when the body is fine.
 */
export function bodyShapeIssue(body: unknown, maxDepth: number): { path: string; message: string } | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const stack: Array<{ value: object; depth: number; path: string }> = [{ value: body, depth: 1, path: '' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (depth > maxDepth) return { path, message: `nested deeper than ${maxDepth} levels` };
    // Binary attachments arrive as Buffers: data, not structure.
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) continue;
    for (const key of Object.keys(value)) {
      // Paths are built only for what is pushed or reported: this runs on every event.
      if (PROTOTYPE_KEYS.has(key)) return { path: pathOf(path, key), message: 'this key is not accepted' };
      const item = (value as Record<string, unknown>)[key];
      if (item !== null && typeof item === 'object') stack.push({ value: item, depth: depth + 1, path: pathOf(path, key) });
    }
  }
  return undefined;
}

function pathOf(parent: string, key: string): string {
  // Deep paths are cut: a client must not make the server build long strings for it.
  if (parent.length > 200) return parent;
  return parent === '' ? key : `${parent}.${key}`;
}

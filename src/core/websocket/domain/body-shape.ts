/**
 * Checks the shape of a client's event body before any guard, pipe, schema
 * or handler sees it, and cleans it, in one walk:
 *
 * - nesting deeper than `maxDepth` is refused: deep objects overflow the
 *   stack of the recursive encoders a body may later pass through
 *   (Socket.IO's binary check, JSON.stringify, the Redis adapter's msgpack);
 * - a `__proto__` key is refused: it rewrites an object's prototype when the
 *   body is copied with `Object.assign` or merged;
 * - `constructor` and `prototype` keys are removed, as Nest's validation
 *   pipe removes them, so no handler (with a schema or without) sees them.
 *
 * Iterative, so the check itself cannot overflow; it stops at the first
 * problem. Returns that problem, or `undefined` when the body is fine.
 */
export function screenBody(body: unknown, maxDepth: number): { path: string; message: string } | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  // The body itself is screened without a frame: most bodies nest no object, and then nothing is allocated.
  let value: object = body;
  let depth = 1;
  let path = '';
  let stack: Array<{ value: object; depth: number; path: string }> | undefined;
  for (;;) {
    if (depth > maxDepth) return { path, message: `nested deeper than ${maxDepth} levels` };
    // Binary attachments arrive as Buffers: data, not structure.
    if (!ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer)) {
      const object = !Array.isArray(value);
      for (const key of Object.keys(value)) {
        if (object) {
          // Paths are built only for what is pushed or reported: this runs on every event.
          if (key === '__proto__') return { path: pathOf(path, key), message: 'this key is not accepted' };
          if (key === 'constructor' || key === 'prototype') {
            delete (value as Record<string, unknown>)[key];
            continue;
          }
        }
        const item = (value as Record<string, unknown>)[key];
        if (item !== null && typeof item === 'object') (stack ??= []).push({ value: item, depth: depth + 1, path: pathOf(path, key) });
      }
    }
    const next = stack?.pop();
    if (!next) return undefined;
    ({ value, depth, path } = next);
  }
}

function pathOf(parent: string, key: string): string {
  // Deep paths are cut: a client must not make the server build long strings for it.
  if (parent.length > 200) return parent;
  return parent === '' ? key : `${parent}.${key}`;
}

/**
 * Loads an optional peer dependency with `load` (a dynamic `import()`), so an
 * app needs the package only when it uses what needs it; if the package is
 * not installed, throws an Error that names it and says how to install it.
 *
 * @example
 * const { Redis } = await loadOptionalPeer('ioredis', 'the redis option', () => import('ioredis'));
 */
export async function loadOptionalPeer<M>(name: string, feature: string, load: () => Promise<M>, entry = 'nest-realtime'): Promise<M> {
  try {
    return await load();
  } catch (error) {
    if (!isMissing(error, name)) throw error;
    throw new Error(`${entry}: ${feature} needs the optional peer dependency "${name}"; install it with: npm install ${name}`, {
      cause: error,
    });
  }
}

// Only "this package is absent" is rewritten: a package that is present but
// fails to load (or misses a dependency of its own) keeps its real error.
// Duck-typed, not `instanceof Error`: Jest's resolver throws errors of another realm.
function isMissing(error: unknown, name: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  // Node says ERR_MODULE_NOT_FOUND; CommonJS resolution and Jest's say MODULE_NOT_FOUND.
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    new RegExp(`['"]${name.replace(/[./]/g, '\\$&')}['"]`).test(message)
  );
}

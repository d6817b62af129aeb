// What the port suites of every module share, so that a suite runs under Jest or node:test alike.
import assert from 'node:assert/strict';

/**
 * The four functions a port suite needs from a test runner; Jest's (globals or
 * `@jest/globals`) and `node:test`'s fit, so the suites need no runner's types.
 * `it` takes async tests only: the global `it` of `@types/jest` refuses one that may return void.
 */
export interface SuiteRunner {
  describe: (name: string, fn: () => void) => void;
  it: (name: string, fn: () => Promise<void>) => void;
  beforeEach: (fn: () => void | Promise<void>) => void;
  afterEach: (fn: () => void | Promise<void>) => void;
}

/**
 * The runner a suite was given, or else the globals Jest (or Vitest with
 * `globals`) injects, read at call time so importing a suite loads no runner.
 */
export function resolveSuiteRunner(runner?: SuiteRunner): SuiteRunner {
  if (runner) return runner;
  const { describe, it, beforeEach, afterEach } = globalThis as unknown as Partial<Record<keyof SuiteRunner, unknown>>;
  if (typeof describe !== 'function' || typeof it !== 'function' || typeof beforeEach !== 'function' || typeof afterEach !== 'function') {
    throw new Error(
      "No global describe/it/beforeEach/afterEach: pass { describe, it, beforeEach, afterEach } from 'node:test' as the last argument",
    );
  }
  return { describe, it, beforeEach, afterEach } as SuiteRunner;
}

/**
 * Plain copy that drops undefined-valued keys and prototypes, which Jest's `toEqual` ignores.
 * `Array.from`, not `map`: an array from another realm (Jest's sandbox, `structuredClone`) keeps its realm through `map`.
 */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return Array.from(value, comparable);
  if (value !== null && typeof value === 'object' && Object.prototype.toString.call(value) === '[object Object]') {
    return Object.fromEntries(Object.entries(value).flatMap(([key, item]) => (item === undefined ? [] : [[key, comparable(item)]])));
  }
  return value;
}

/**
 * Deep equality as Jest's `toEqual` had it, so an adapter returning class
 * instances or `undefined` fields passes the suites as it did before they left Jest.
 */
export function assertDeepEqual(actual: unknown, expected: unknown, message?: string): void {
  assert.deepStrictEqual(comparable(actual), comparable(expected), message);
}

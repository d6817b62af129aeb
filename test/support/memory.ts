import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// `global.gc` without `--expose-gc` on the command line: the flag is set at run
// time, and a fresh context picks the function up.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type?: 'major' | 'minor'; execution?: 'sync' }) => void;

/** The JS heap in use plus the memory behind Buffers and ArrayBuffers (socket data lives there). */
function inUse(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * Runs full garbage collections until memory stops shrinking, and returns the
 * bytes in use: the JS heap and the Buffers it holds.
 */
export async function settledHeap(): Promise<number> {
  let previous = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 6; round++) {
    // Let closed sockets, timers and promise chains finish before collecting.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    const used = inUse();
    if (previous - used < 64 * 1024) return used;
    previous = used;
  }
  return inUse();
}

export const MiB = 1024 * 1024;

/** `bytes` as mebibytes with one decimal, for figures printed by the suites. */
export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

/** VmRSS of another process, in bytes, from /proc (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return kib * 1024;
}

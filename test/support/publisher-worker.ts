import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('../publisher/worker.mjs', import.meta.url));

/**
 * Runs the worker script (a process that is not a node, on the built package)
 * with `jobs`; resolves with its line per job. `tenants`: the publisher's option.
 */
export async function runWorker(redisUrl: string, jobs: unknown[], tenants = false): Promise<string[]> {
  const env = { PATH: process.env.PATH, REDIS_URL: redisUrl, JOBS: JSON.stringify(jobs), TENANTS: String(tenants) };
  const child = spawn(process.execPath, [WORKER], { env });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the worker exited with ${String(code)}: ${output}`);
  return output.trim().split('\n');
}

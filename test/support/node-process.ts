import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { SECRET } from './app.js';
import { freePort } from './redis-server.js';

/** The built server (`dist/main.js`, made by `npm test` before the suites) in a process of its own. */
export interface NodeProcess {
  url: string;
  child: ChildProcess;
  /** Everything it printed, for failure messages. */
  output(): string;
  /** Resolves with the exit code (null when a signal ended it) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
  /** SIGKILLs it if it is still running, and resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `dist/main.js`; `port` reuses a known address (a node restarted where
 * its clients expect it), else a free one. Resolves once `/health/ready`
 * answers 200, or with `until: 'live'` once `/health/live` does (a node that
 * starts during a Redis outage is live and not ready).
 */
export async function startNodeProcess(
  env: Record<string, string>,
  port?: number,
  { until = 'ready' }: { until?: 'live' | 'ready' } = {},
): Promise<NodeProcess> {
  port ??= await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', JWT_SECRET: SECRET, LOG_LEVEL: 'warn', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited at start-up:\n${output}`);
    const ready = await fetch(`${url}/health/${until}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server was not ${until} within 10 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return { url, child, output: () => output, exited, kill: (signal = 'SIGTERM') => child.kill(signal), stop };
}

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';

/** The compose file's load balancer (deploy/haproxy.cfg), pointed at local node processes. */
export interface TestBalancer {
  url: string;
  stop(): Promise<void>;
}

export async function startBalancer(backends: { app1: string; app2: string }): Promise<TestBalancer> {
  if (spawnSync('haproxy', ['-v']).error) {
    throw new Error('haproxy is not on the PATH: install it (apt-get install haproxy) to run the topology suite');
  }
  const port = await freePort();
  const config = readFileSync('deploy/haproxy.cfg', 'utf8')
    .replace('bind *:3000', `bind 127.0.0.1:${port}`)
    .replace('app1:3000', backends.app1)
    .replace('app2:3000', backends.app2)
    .replace('default-server check inter 2s', 'default-server check inter 200ms');
  const file = join(tmpdir(), `haproxy-${process.pid}-${port}.cfg`);
  writeFileSync(file, config);
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 5000;
  while (
    !(await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`haproxy did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

// The parent's side of the scale run's load generators (generator.mjs, one
// child process each; generator k connects from 127.k.x.y, see there).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { cpuMs } from '../proc.mjs';

const SCRIPT = fileURLToPath(new URL('./generator.mjs', import.meta.url));

/**
 * Forks generator number `index` (1 to 254: its source addresses are 127.<index>.x.y); its handle
 * sends commands and resolves their replies. `onProgress(name, message)` gets its ramp progress.
 */
export async function startGenerator(name, index, { onProgress } = {}) {
  const child = fork(SCRIPT, [String(index)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--max-old-space-size=4096'],
  });
  await once(child, 'spawn');
  const waiting = new Map();
  let nextId = 0;
  let exited;
  child.on('message', (message) => {
    if (message.type === 'progress') return onProgress?.(name, message);
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new Error(`generator ${name}: ${message.error}`));
  });
  child.once('exit', (code, signal) => {
    exited = code ?? signal;
    for (const pending of waiting.values()) pending.reject(new Error(`generator ${name} exited (${exited}) with a command pending`));
    waiting.clear();
  });
  return {
    name,
    pid: child.pid,
    cpuMs: () => cpuMs(child.pid),
    send(cmd, args = {}) {
      if (exited !== undefined) return Promise.reject(new Error(`generator ${name} has exited (${exited})`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ id, cmd, ...args });
      });
    },
    async stop() {
      if (exited !== undefined) return;
      const gone = once(child, 'exit');
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

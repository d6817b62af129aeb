// One measurement window: wall time, each server's CPU time and the
// generator's own CPU time between start() and stop().
import { setTimeout as sleep } from 'node:timers/promises';

export function window(servers) {
  const read = () => ({
    at: performance.now(),
    cpu: servers.map((server) => server.cpuMs()),
    gen: process.cpuUsage(),
  });
  const start = read();
  return {
    start,
    stop() {
      const end = read();
      const ms = end.at - start.at;
      const cpu = end.cpu.map((value, i) => value - start.cpu[i]);
      const gen = (end.gen.user + end.gen.system - start.gen.user - start.gen.system) / 1000;
      return {
        ms,
        /** CPU ms of each server, in the order given. */
        cpu,
        cpuTotal: cpu.reduce((a, b) => a + b, 0),
        /** Share of its one core the generator used: near 1 means it may have been the bottleneck. */
        generatorLoad: gen / ms,
      };
    },
  };
}

/** Waits until `done()` is true, polling every `everyMs`; false on timeout. */
export async function until(done, timeoutMs, everyMs = 5) {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(everyMs);
  }
  return true;
}

export const round1 = (value) => Math.round(value * 10) / 10;
export const round3 = (value) => Math.round(value * 1000) / 1000;

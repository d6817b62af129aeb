// One measurement window: wall time, each server's CPU time, the generator's
// own CPU time, and how much CPU the rest of the machine used meanwhile (other
// people's processes on a shared machine): a window with too much of that is
// measured again.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { coreTimes, machineBusyMs } from './proc.mjs';

/**
 * The generator's own GC pauses, [start, duration] in ms: they hold up sends
 * and replies alike, so they count as latency of whichever server is measured
 * at the time. Each window reports those that began in it.
 */
const gcPauses = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    gcPauses.push([entry.startTime, entry.duration, entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR]);
  if (gcPauses.length > 100_000) gcPauses.splice(0, 50_000);
}).observe({ entryTypes: ['gc'] });

export function window(servers) {
  const read = () => {
    // One reading of /proc/<pid>/stat per server; user-space CPU apart where a server reports it (redis-server does not).
    const times = servers.map((server) => server.cpuTimesMs?.());
    return {
      at: performance.now(),
      cpu: times.map((t, i) => (t ? t.user + t.system : servers[i].cpuMs())),
      user: times.map((t) => t?.user ?? NaN),
      gen: process.cpuUsage(),
      machine: machineBusyMs(),
      cores: coreTimes(),
    };
  };
  const start = read();
  return {
    start,
    stop() {
      const end = read();
      const ms = end.at - start.at;
      const cpu = end.cpu.map((value, i) => value - start.cpu[i]);
      const inWindow = gcPauses.filter(([at]) => at >= start.at && at <= end.at);
      const pauses = inWindow.map(([, duration]) => duration);
      const gen = (end.gen.user + end.gen.system - start.gen.user - start.gen.system) / 1000;
      const ours = cpu.reduce((a, b) => a + b, 0) + gen;
      return {
        ms,
        /** CPU ms of each server, in the order given. */
        cpu,
        /** Of that, the user-space part (NaN where not known): the rest is the kernel working for the server. */
        userCpu: end.user.map((value, i) => value - start.user[i]),
        cpuTotal: cpu.reduce((a, b) => a + b, 0),
        /** Share of its one core the generator used: near 1 means it may have been the bottleneck. */
        generatorLoad: gen / ms,
        /**
         * How busy the server core (0) and the generator core (1) were, interrupt
         * time included: a server core below ~0.95 in a closed loop means the
         * server was not the bottleneck.
         */
        coreBusy: coreShares(start.cores, end.cores, 0, 1000),
        /** Per core, the share of the window the hypervisor took from it (`steal`): the server core stalled meanwhile. */
        stolen: coreShares(start.cores, end.cores, 2, 10000),
        /** The generator's GC pauses that began in the window: how many, their sum and the longest, in ms, and how many were mark-compacts. */
        generatorGc: {
          count: pauses.length,
          totalMs: round3(pauses.reduce((a, b) => a + b, 0)),
          maxMs: round3(Math.max(0, ...pauses)),
          major: inWindow.filter(([, , major]) => major).length,
        },
        /** CPU used by processes other than the servers and this one, in cores (0.05 = 5 % of one core). */
        foreignLoad: Math.max(0, (end.machine - start.machine - ours) / ms),
      };
    },
  };
}

/** Per core, how much field `field` of `coreTimes()` grew as a share of all its ticks, rounded to 1/`scale`. */
function coreShares(before, after, field, scale) {
  return after.map((core, i) => {
    const dt = core[1] - before[i][1];
    return dt > 0 ? Math.round(((core[field] - before[i][field]) / dt) * scale) / scale : null;
  });
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

/**
 * Runs a measurement after waiting for a quiet machine, and again (up to
 * `retries` times) while other processes used more than `maxForeign` of a core
 * during it, or, for a window that reads it (the fixed-rate echo), while the
 * hypervisor took more than `maxStolen` of the server core. The result says
 * how many attempts it took and whether it stayed noisy.
 */
export async function measured(quiet, run, { retries, maxForeign, maxStolen = Infinity }) {
  let result;
  for (let attempt = 0; attempt <= retries; attempt++) {
    const state = await quiet();
    result = await run(attempt);
    result.quiet = state;
    result.attempts = attempt + 1;
    if (!(result.foreignLoad > maxForeign) && !(result.stolen?.[0] > maxStolen)) return result;
  }
  result.noisy = true;
  return result;
}

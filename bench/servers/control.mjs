// Shared by every server variant: how the harness learns the port, asks for a
// memory reading after a forced GC or the event loop's delay over a window,
// and stops the server cleanly (a clean exit is what makes `node --cpu-prof`
// write its profile).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

export function env(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    if (fallback === undefined) throw new Error(`bench server: ${name} is required`);
    return fallback;
  }
  return value;
}

/** Prints the line the harness waits for, then serves its commands on stdin. */
export function ready(port) {
  process.stdout.write(`BENCH_READY ${JSON.stringify({ port, pid: process.pid })}\n`);
  const lines = createInterface({ input: process.stdin });
  let profiler;
  lines.on('line', (line) => {
    const command = line.trim();
    if (command === 'mem') {
      // Two passes: the first may only move objects to the old generation.
      globalThis.gc?.();
      globalThis.gc?.();
      const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
      process.stdout.write(
        `BENCH_MEM ${JSON.stringify({ rss, heapUsed, heapTotal, external, arrayBuffers, gc: typeof globalThis.gc === 'function' })}\n`,
      );
    } else if (command.startsWith('eld ')) {
      // `eld <ms>`: the event loop's delay over the next <ms>, sampled by a 10 ms timer (Node's default
      // resolution). Each sample is the time between two runs of that timer, so an idle loop reads about
      // 10 ms; the harness subtracts the resolution to get the delay.
      const ms = Number(command.slice('eld '.length));
      const resolution = 10;
      const histogram = monitorEventLoopDelay({ resolution });
      histogram.enable();
      setTimeout(() => {
        histogram.disable();
        const at = (p) => histogram.percentile(p) / 1e6;
        const figures = { resolution, count: histogram.count, min: histogram.min / 1e6, mean: histogram.mean / 1e6 };
        Object.assign(figures, { p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: histogram.max / 1e6 });
        process.stdout.write(`BENCH_ELD ${JSON.stringify(figures)}\n`);
      }, ms);
    } else if (command === 'prof-start') {
      // A CPU profile of just the measured window (what `node --cpu-prof` would
      // record, without start-up and warm-up).
      profiler = new Session();
      profiler.connect();
      profiler.post('Profiler.enable', () =>
        profiler.post('Profiler.setSamplingInterval', { interval: 200 }, () =>
          profiler.post('Profiler.start', () => process.stdout.write('BENCH_PROF started\n')),
        ),
      );
    } else if (command.startsWith('prof-stop ')) {
      const path = command.slice('prof-stop '.length);
      profiler.post('Profiler.stop', (error, result) => {
        if (!error) writeFileSync(path, JSON.stringify(result.profile));
        profiler.disconnect();
        process.stdout.write(`BENCH_PROF ${error ? `failed ${error.message}` : 'written'}\n`);
      });
    } else if (command === 'exit') {
      process.exit(0);
    }
  });
  // The harness going away must not leave a server behind.
  lines.on('close', () => process.exit(0));
}

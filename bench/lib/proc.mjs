// Processes the harness starts (server variants, redis-server) and what it
// reads about them from /proc: CPU time, resident memory, machine load.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

export const CLOCK_TICKS = Number(safe(() => execFileSync('getconf', ['CLK_TCK']).toString().trim(), '100')) || 100;
export const HAS_TASKSET = !spawnSync('taskset', ['--version']).error;
// `--all`: plain nproc counts only the cores this process may run on, and the
// harness itself runs pinned to one.
export const CORES = Number(safe(() => execFileSync('nproc', ['--all']).toString().trim(), '1'));

function safe(fn, fallback) {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/**
 * Runs the calling script again in a child whose open-file limit is raised to
 * the hard limit (every socket is a descriptor; the servers and generators it
 * starts inherit the limit), with `prefix` before node (e.g. `taskset -c 1`),
 * forwarding SIGINT/SIGTERM and the exit code. True in that child, where the
 * script does its work (`marker` is set in its environment); false in the
 * parent, which only waits.
 */
export function inRaisedOpenFileLimit(marker, argv, prefix = []) {
  if (process.env[marker]) return true;
  const command = [...prefix, process.execPath, process.argv[1], ...argv];
  const child = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'bench', ...command], {
    stdio: 'inherit',
    env: { ...process.env, [marker]: '1' },
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return false;
}

/** The command line that runs `argv` on `cpu` (a core list for taskset), or as is when pinning is off. */
export function pinned(cpu, argv) {
  return HAS_TASKSET && cpu !== undefined ? ['taskset', '-c', String(cpu), ...argv] : argv;
}

/** utime + stime of the whole process (every thread), in milliseconds. */
export function cpuMs(pid) {
  const { user, system } = cpuTimesMs(pid);
  return user + system;
}

/** utime and stime of the whole process (every thread), apart, in milliseconds. */
export function cpuTimesMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5); the slice starts at field 3.
  return { user: (Number(fields[11]) * 1000) / CLOCK_TICKS, system: (Number(fields[12]) * 1000) / CLOCK_TICKS };
}

/** VmRSS and VmHWM in bytes. */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/** user + nice + system time of every core, in ms (interrupt time left out: loopback traffic lands there). */
export function machineBusyMs() {
  const [line] = readFileSync('/proc/stat', 'utf8').split('\n', 1);
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  return ((values[0] + values[1] + values[2]) * 1000) / CLOCK_TICKS;
}

/**
 * Per core: [busy, total, stolen] ticks; busy counts interrupt time too, so a
 * core's own network work shows. Stolen is the time the hypervisor ran
 * something else while this virtual core wanted to run (`steal`, included in busy).
 */
export function coreTimes() {
  const cores = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const values = match[2].trim().split(/\s+/).map(Number);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    cores[Number(match[1])] = [total - values[3] - (values[4] ?? 0), total, values[7] ?? 0];
  }
  return cores;
}

function machineTimes() {
  const [line] = readFileSync('/proc/stat', 'utf8').split('\n', 1);
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = values[3] + (values[4] ?? 0);
  return { total, idle };
}

/**
 * Waits until the whole machine is quiet: less than `threshold` of all cores
 * busy over a `windowMs` window. Gives up after `maxWaitMs` and says so in the
 * returned record (the step is then marked noisy in the results).
 */
export async function waitQuiet({ threshold = 0.08, windowMs = 300, maxWaitMs = 20000 } = {}) {
  const started = Date.now();
  let busy = 1;
  while (true) {
    const a = machineTimes();
    await sleep(windowMs);
    const b = machineTimes();
    const total = b.total - a.total;
    busy = total > 0 ? 1 - (b.idle - a.idle) / total : 0;
    if (busy < threshold) return { quiet: true, busy, waitedMs: Date.now() - started };
    if (Date.now() - started > maxWaitMs) return { quiet: false, busy, waitedMs: Date.now() - started };
  }
}

/**
 * Starts a bench server script, waits for its BENCH_READY line, pins it to
 * `cpu` and returns a handle: port, pid, CPU and memory readers, stop().
 * A server starts on any core and is pinned (every thread) once it is ready:
 * servers started together then start in parallel, and nothing is measured
 * before they are pinned.
 */
export async function startServer({ name, script, env = {}, cpu, nodeArgs = [], timeoutMs = 30000 }) {
  const argv = [process.execPath, '--expose-gc', ...nodeArgs, script];
  const child = spawn(argv[0], argv.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const tail = [];
  const keep = (line) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  const memWaiters = [];
  const profWaiters = [];
  const eldWaiters = [];
  let readyInfo;
  const readyPromise = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${tail.join('\n')}`)), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${tail.join('\n')}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('BENCH_READY ')) {
        clearTimeout(timer);
        readyInfo = JSON.parse(line.slice(12));
        resolve(readyInfo);
      } else if (line.startsWith('BENCH_MEM ')) {
        memWaiters.shift()?.(JSON.parse(line.slice(10)));
      } else if (line.startsWith('BENCH_PROF ')) {
        profWaiters.shift()?.(line.slice(11));
      } else if (line.startsWith('BENCH_ELD ')) {
        eldWaiters.shift()?.(JSON.parse(line.slice(10)));
      } else keep(line);
    });
  });
  createInterface({ input: child.stderr }).on('line', keep);
  child.stdin.on('error', () => {});
  const { port } = await readyPromise;
  const pid = child.pid;
  if (HAS_TASKSET && cpu !== undefined) {
    const pin = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { encoding: 'utf8' });
    if (pin.status !== 0) {
      child.kill('SIGKILL');
      throw new Error(`${name}: taskset could not pin it to core ${cpu}: ${pin.stderr}`);
    }
  }
  let exited = false;
  const command = (line, waiters, timeoutMs = 15000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not answer "${line}"`)), timeoutMs);
      waiters.push((value) => {
        clearTimeout(timer);
        resolve(value);
      });
      child.stdin.write(`${line}\n`);
    });
  child.once('exit', () => (exited = true));
  return {
    name,
    pid,
    port,
    child,
    get exited() {
      return exited;
    },
    tail: () => tail.join('\n'),
    cpuMs: () => cpuMs(pid),
    cpuTimesMs: () => cpuTimesMs(pid),
    rss: () => rssOf(pid),
    /** process.memoryUsage() in the server after two forced GCs. */
    mem() {
      return command('mem', memWaiters);
    },
    /** The server's event-loop delay over the next `ms` (percentiles in ms of a 10 ms timer's intervals; see control.mjs). */
    eld(ms) {
      return command(`eld ${ms}`, eldWaiters, ms + 15000);
    },
    /** Starts the inspector's CPU profiler in the server. */
    profileStart() {
      return command('prof-start', profWaiters);
    },
    /** Stops it and has the server write the profile to `path`. */
    profileStop(path) {
      return command(`prof-stop ${path}`, profWaiters);
    },
    async stop() {
      if (exited) return;
      const gone = once(child, 'exit');
      child.stdin.write('exit\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** The flags every redis-server of the harness runs with: loopback only, nothing written to disk. */
const REDIS_FLAGS = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'];

function assertBinary(name, what) {
  if (spawnSync(name, ['--version']).error) throw new Error(`${name} is not on the PATH (apt-get install ${what})`);
}

/** A redis-server of the harness's own on a free port, pinned like the servers. */
export async function startRedis({ cpu } = {}) {
  assertBinary('redis-server', 'redis-server');
  return launchRedis({ cpu, port: await freePort() });
}

/**
 * Starts `redis-server` on `port` with the harness's flags and `args`, pinned
 * to `cpu`, and waits until it answers PING. The handle: name, pid, port,
 * url, cpuMs(), stop().
 */
async function launchRedis({ cpu, port, args = [] }) {
  const argv = pinned(cpu, ['redis-server', '--port', String(port), ...REDIS_FLAGS, ...args]);
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = once(child, 'exit');
    child.kill('SIGKILL');
    await gone;
  };
  const deadline = Date.now() + 5000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start on ${port}: ${output}`);
    }
    await sleep(20);
  }
  return {
    name: 'redis',
    pid: child.pid,
    port,
    url: `redis://127.0.0.1:${port}`,
    cpuMs: () => cpuMs(child.pid),
    stop,
  };
}

/**
 * A Redis Cluster of the harness's own: 3 masters and 3 replicas, six
 * redis-servers on free ports, pinned like the servers, each with its
 * nodes.conf in a temporary directory of its own, joined by
 * `redis-cli --cluster create`. Resolves once every server reports
 * `cluster_state:ok`, with the servers (each a handle like `startRedis`'s),
 * the seed nodes as REDIS_CLUSTER_NODES takes them, and stop() (stops them
 * all and removes the directories).
 */
export async function startRedisCluster({ cpu } = {}) {
  assertBinary('redis-server', 'redis-server');
  assertBinary('redis-cli', 'redis-tools');
  const dir = mkdtempSync(join(tmpdir(), 'nest-realtime-bench-cluster-'));
  const servers = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  const cli = (args, timeout = 5000) => spawnSync('redis-cli', args, { encoding: 'utf8', timeout });
  try {
    const ports = await clusterPorts(6);
    servers.push(
      ...(await Promise.all(
        ports.map((port) => {
          const own = join(dir, String(port));
          mkdirSync(own);
          const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000', '--dir', own];
          return launchRedis({ cpu, port, args });
        }),
      )),
    );
    const seeds = ports.map((port) => `127.0.0.1:${port}`);
    const created = cli(['--cluster', 'create', ...seeds, '--cluster-replicas', '1', '--cluster-yes'], 60000);
    if (created.status !== 0)
      throw new Error(`redis-cli --cluster create failed: ${created.error?.message ?? ''}${created.stdout}${created.stderr}`);
    const deadline = Date.now() + 30000;
    for (;;) {
      const states = ports.map((port) => cli(['-h', '127.0.0.1', '-p', String(port), 'cluster', 'info']).stdout ?? '');
      if (states.every((info) => info.includes('cluster_state:ok'))) break;
      if (Date.now() > deadline) {
        const bad = ports.filter((_, i) => !states[i].includes('cluster_state:ok'));
        throw new Error(`the Redis Cluster did not reach cluster_state:ok within 30 s (not ok: ${bad.join(', ')})`);
      }
      await sleep(100);
    }
    return { servers, seeds: seeds.join(','), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * `count` distinct free ports whose cluster bus ports (port + 10000, fixed by
 * Redis) are free and valid as well.
 */
async function clusterPorts(count) {
  const ports = [];
  for (let attempt = 0; ports.length < count; attempt++) {
    if (attempt > 200) throw new Error('no free ports for a Redis Cluster (each needs port + 10000 free as well)');
    const port = await freePort();
    const taken = (p) => ports.some((q) => q === p || q + 10000 === p || q === p + 10000);
    if (port + 10000 > 65535 || taken(port) || !(await isFree(port + 10000))) continue;
    ports.push(port);
  }
  return ports;
}

async function isFree(port) {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function answersPing(port) {
  const { Socket } = await import('node:net');
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** Starts servers at once; when one fails, stops the others and throws its error. */
export async function startTogether(starts) {
  const settled = await Promise.allSettled(starts.map((begin) => begin()));
  const failed = settled.find((result) => result.status === 'rejected');
  if (!failed) return settled.map((result) => result.value);
  for (const result of settled) if (result.status === 'fulfilled') await result.value.stop();
  throw failed.reason;
}

/** What every bench report says of the machine and the code it measured (`root`: the repository). */
export function machineFacts(root) {
  const git = (args) => safe(() => execFileSync('git', args, { cwd: root }).toString().trim(), undefined);
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    date: new Date().toISOString().slice(0, 10),
    startedAt: Date.now(),
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    cores: CORES,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.versions.node,
    kernel: execFileSync('uname', ['-r']).toString().trim(),
    commit: git(['rev-parse', '--short', 'HEAD']),
    srcModified: (git(['status', '--porcelain', '--', 'src']) ?? '').length > 0,
  };
}

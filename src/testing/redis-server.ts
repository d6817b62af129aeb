import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** A `redis-server` of the test's own on a free loopback port, which the test may kill and start again. */
export interface TestRedis {
  port: number;
  url: string;
  /** SIGKILLs the server (an outage, as far as clients can tell). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A free TCP port on the loopback interface (free when this resolves: bind it soon).
 *
 * @example
 * const port = await freePort();
 * await app.listen(port, '127.0.0.1');
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Starts an empty `redis-server` of the test's own (no persistence) on a free
 * loopback port; needs `redis-server` on the PATH.
 *
 * @example
 * const redis = await startRedis();
 * const server = await startTestApp({ websocket: { redis: { url: redis.url } } });
 * await redis.kill(); // an outage
 * await redis.start();
 */
export function startRedis(): Promise<TestRedis> {
  return launchRedis('startRedis');
}

/** What a test may add to the `redis-server` it starts. */
export interface RedisServerOptions {
  /** A configuration file, read first (a sentinel's, which Redis rewrites). */
  configFile?: string;
  /** Further arguments after the kit's own, e.g. `['--replicaof', '127.0.0.1', '6379']` or `['--sentinel']`. */
  args?: string[];
}

/**
 * `startRedis`, with the name of the kit's helper that asked for it in the
 * "not installed" error, and optionally a configuration file and arguments of
 * the test's own (a replica, a sentinel).
 *
 * @example
 * const primary = await launchRedis('my suite');
 * const replica = await launchRedis('my suite', { args: ['--replicaof', '127.0.0.1', String(primary.port)] });
 */
export async function launchRedis(feature: string, options: RedisServerOptions = {}): Promise<TestRedis> {
  assertRedisServer(feature);
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const proc = spawn(
      'redis-server',
      [
        ...(options.configFile === undefined ? [] : [options.configFile]),
        ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
        ...(options.args ?? []),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    let output = '';
    proc.stdout!.on('data', (chunk) => (output += chunk));
    proc.stderr!.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 5000;
    while (!(await answers(port))) {
      if (exited(proc) || Date.now() > deadline) {
        // One that hangs without answering must not outlive the test.
        await kill();
        throw new Error(`nest-realtime/testing: redis-server did not start on port ${port}: ${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || exited(proc)) return;
    proc.kill('SIGKILL');
    await once(proc, 'exit');
  };

  await start();
  return { port, url: `redis://127.0.0.1:${port}`, kill, start, stop: kill };
}

/** Fails fast, saying what to install, when there is no `redis-server` to spawn. */
export function assertRedisServer(feature: string): void {
  assertBinary(
    'redis-server',
    feature,
    'install Redis (e.g. apt-get install redis-server, brew install redis) or put redis-server on the PATH',
  );
}

/** Fails fast, naming `feature`, `binary` and how to get it, when `binary` cannot be run. */
function assertBinary(binary: string, feature: string, install: string): void {
  const { error } = spawnSync(binary, ['--version']);
  if (!error) return;
  const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is not on the PATH' : `could not be run (${error.message})`;
  throw new Error(`nest-realtime/testing: ${feature} needs ${binary}, which ${reason}; ${install}`, { cause: error });
}

const runFile = promisify(execFile);

// A process ended by a signal has a null exitCode: waiting for its 'exit' again would hang.
function exited(proc: ChildProcess): boolean {
  return proc.exitCode !== null || proc.signalCode !== null;
}

async function answers(port: number): Promise<boolean> {
  const { Socket } = await import('node:net');
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    // A server with `--requirepass` answers NOAUTH: it is up all the same.
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}

/** A Redis Cluster of the test's own, as `startRedisCluster` started it. */
export interface TestRedisCluster {
  /** Every server, the first `masters` of them made masters at creation (a replica may have been promoted since). */
  servers: TestRedis[];
  /** The seed nodes to give a cluster client: every server's `127.0.0.1:port`. */
  nodes: Array<{ host: string; port: number }>;
  /** The same as `REDIS_CLUSTER_NODES` takes them: `127.0.0.1:7001,127.0.0.1:7002,...`. */
  seeds: string;
  /** The ports of the servers that are masters now, as the cluster says. */
  masters(): Promise<number[]>;
  stop(): Promise<void>;
}

/** What `startRedisCluster` builds. */
export interface RedisClusterOptions {
  /** @default 3 */
  masters?: number;
  /** Replicas of each master. @default 1 */
  replicas?: number;
  /** How long a master may be unreachable before its replica takes over (`cluster-node-timeout`). @default 1000 */
  nodeTimeoutMs?: number;
  /** Further `redis-server` arguments for every server (a password, say). */
  args?: string[];
  /** The password `redis-cli` gives when the servers require one. */
  password?: string;
}

/**
 * Starts a Redis Cluster of the test's own: `masters` masters with `replicas`
 * replicas each, every one a `redis-server` on a free loopback port with its
 * cluster state in a temporary directory, joined by
 * `redis-cli --cluster create`. Resolves once every server reports
 * `cluster_state:ok`. Needs `redis-server` and `redis-cli` on the PATH.
 *
 * @example
 * const cluster = await startRedisCluster();
 * const server = await startTestApp({ websocket: { redis: { clusterNodes: cluster.nodes } } });
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<TestRedisCluster> {
  const feature = 'startRedisCluster';
  assertRedisServer(feature);
  assertBinary('redis-cli', feature, 'install Redis (e.g. apt-get install redis-tools) or put redis-cli on the PATH');
  const count = (options.masters ?? 3) * (1 + (options.replicas ?? 1));
  const dir = await mkdtemp(join(tmpdir(), 'nest-realtime-cluster-'));
  const servers: TestRedis[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  const auth = options.password === undefined ? [] : ['-a', options.password, '--no-auth-warning'];
  // Asynchronous: the test's own nodes may run in this process, and a blocking spawn would stall them.
  const redisCli = async (args: string[]): Promise<string | undefined> =>
    (await runFile('redis-cli', [...auth, ...args], { encoding: 'utf8' }).catch(() => undefined))?.stdout;
  const cli = (port: number, ...args: string[]) => redisCli(['-h', '127.0.0.1', '-p', String(port), ...args]);
  try {
    const args = [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      String(options.nodeTimeoutMs ?? 1000),
    ];
    // Started side by side; each is listed as soon as it runs, so a failure of another still stops it.
    await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        // Each server writes its own nodes.conf into its own directory.
        const own = join(dir, String(index));
        await mkdir(own);
        servers.push(await launchRedis(feature, { args: ['--dir', own, ...args, ...(options.args ?? [])] }));
      }),
    );
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    const create = [...auth, '--cluster', 'create', ...addresses, '--cluster-replicas', String(options.replicas ?? 1), '--cluster-yes'];
    await runFile('redis-cli', create, { encoding: 'utf8' }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`nest-realtime/testing: redis-cli --cluster create failed: ${error.stdout ?? ''}${error.stderr ?? ''}`);
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const states = await Promise.all(servers.map(async (server) => (await cli(server.port, 'cluster', 'info')) ?? ''));
      if (states.every((info) => info.includes('cluster_state:ok'))) break;
      if (Date.now() > deadline) throw new Error(`nest-realtime/testing: the Redis Cluster did not become ready: ${states.join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const nodes = servers.map((server) => ({ host: '127.0.0.1', port: server.port }));
  return {
    servers,
    nodes,
    seeds: nodes.map(({ host, port }) => `${host}:${port}`).join(','),
    async masters() {
      for (const server of servers) {
        const reply = await cli(server.port, 'cluster', 'nodes');
        if (!reply) continue;
        return reply
          .split('\n')
          .map((line) => line.split(' '))
          .filter((fields) => {
            const flags = (fields[2] ?? '').split(',');
            return flags.includes('master') && !flags.includes('fail') && !flags.includes('fail?');
          })
          .map((fields) => fields[1] ?? '')
          .map((address) => Number(/:(\d+)@/.exec(address)?.[1]))
          .filter((port) => port > 0);
      }
      return [];
    },
    stop,
  };
}

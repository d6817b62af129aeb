// `npm run bench:scale`: the app at scale on one machine, through one Redis.
//
//   npm run bench:scale                  full run (about 10 minutes): 4 app servers x 19,000 sockets, bare
//                                        Socket.IO at 19,000, a storm of 15,000; writes bench/results/scale-<date>.{json,md}
//   npm run bench:scale -- --quick       about 2 minutes at 2,000 a server; writes bench/results/scale-quick.*
//   npm run bench:scale -- --only=storm --storm=10000    one part, other sizes (scale-partial.*)
//
// Figures and what they showed: "At scale" in docs/benchmarks.md.
//
// Flags: --quick, --only=connections,storm, --per-server=N, --bare=N, --storm=N, --samples=N,
// --idle-ms=N, --concurrency=N (handshakes in flight per generator while ramping),
// --shutdown-grace=N (the storm's WS_SHUTDOWN_GRACE_MS in ms; the app's default, 10000, otherwise), --out=name,
// --no-build (use bench/.app-dist as it is), --commit=<rev> (build that commit's src/ instead of the
// working tree's, e.g. --commit=HEAD while src/ is being edited; see bench/lib/scale/build-commit.mjs).
//
// A process may hold 20,000 open files here (the hard limit), so each server
// holds at most about 19,500 sockets and so does each load generator: the
// run uses several of both. Generators are child processes
// (bench/lib/scale/generator.mjs) that connect from loopback addresses of
// their own (generator k from 127.k.0.1, 127.k.0.2, ...), each with source
// ports they pick themselves and never use twice, so no source address runs
// out of ports or meets its own TIME_WAIT sockets. Every
// server, generator and redis-server is the run's own, and all are stopped at
// the end, on an error or on Ctrl-C.
//
// 1. Connections at scale: a fresh single app server (its own Redis, a few
//    hundred users) gives the usual p99 of `presence:query` and of a
//    `chat:send` push; bare Socket.IO (JWT in an `io.use` middleware, the
//    sharded Redis adapter) is ramped to N sockets and measured; then four
//    app servers on one Redis are ramped to N sockets each (distinct users)
//    at a bounded concurrency, and measured: RSS and JS heap per socket per
//    process (after forced GCs), Redis memory and CPU per socket, the
//    handshake rate, the event-loop delay of each server while idle, and the
//    two probes again (sender on server 1, receiver on server 4).
// 2. Reconnect storm: S sockets of S users on node A, node B beside it,
//    watchers on B subscribed to every one of them; A is sent SIGTERM and
//    drains; every client moves to B as the app's client does. Time until all
//    are back, handshake p99, Redis CPU, every user online exactly once
//    afterwards, and no `offline` update seen by a watcher.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from './lib/build.mjs';
import { buildCommit } from './lib/scale/build-commit.mjs';
import { pooled, summary } from './lib/hist.mjs';
import { CORES, inRaisedOpenFileLimit, machineBusyMs, machineFacts, startRedis, startServer, startTogether } from './lib/proc.mjs';
import { startGenerator } from './lib/scale/generators.mjs';
import { probeLatencies, connectOrThrow } from './lib/scale/probes.mjs';
import { redisProbe } from './lib/scale/redis-probe.mjs';
import { markdownReport, targetsOf, terminalSummary } from './lib/scale/report.mjs';
import { tokenFor } from './lib/tokens.mjs';
import { VARIANTS } from './lib/variants.mjs';
import { WireClient } from './lib/wire.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const argv = process.argv.slice(2);

const FULL = {
  servers: 4,
  perServer: 19_000,
  bare: 19_000,
  storm: 15_000,
  baselineUsers: 500,
  samples: 500,
  idleMs: 20_000,
  concurrency: 50,
};
const QUICK = { ...FULL, perServer: 2_000, bare: 2_000, storm: 2_000, baselineUsers: 200, samples: 200, idleMs: 5_000 };
const PARTS = ['connections', 'storm'];
/** A connect that has not reached `40{sid}` by then has failed. */
const CONNECT_TIMEOUT_MS = 30_000;
/** Users one watcher socket watches (the app's PRESENCE_MAX_WATCHED_PER_SOCKET default), in requests of 100 ids. */
const WATCH_PER_SOCKET = 1000;
const IDS_PER_REQUEST = 100;
/** The app's defaults the storm runs with (the shutdown grace can be changed with --shutdown-grace). */
const OFFLINE_GRACE_MS = 5000;
const SHUTDOWN_GRACE_MS = 10_000;
const STORM_TIMEOUT_MS = 120_000;

const KNOWN = [
  'quick',
  'only',
  'per-server',
  'bare',
  'storm',
  'samples',
  'idle-ms',
  'concurrency',
  'shutdown-grace',
  'out',
  'no-build',
  'commit',
];
/** Where the app servers load the app from, when not bench/.app-dist (`--commit`). */
let appDist;

function parseArgs(list) {
  const flags = {};
  for (const arg of list) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !KNOWN.includes(match[1]))
      throw new Error(`unknown argument ${arg}; known: ${KNOWN.map((k) => `--${k}`).join(' ')} (see the header of bench/scale.mjs)`);
    flags[match[1]] = match[2] ?? true;
  }
  return flags;
}

const flags = parseArgs(argv);

// Run again with the open-file limit at the hard limit: the children (servers, generators) inherit it.
if (inRaisedOpenFileLimit('BENCH_SCALE_CHILD', argv)) await run();

async function run() {
  const options = { ...(flags.quick ? QUICK : FULL), shutdownGraceMs: SHUTDOWN_GRACE_MS };
  const number = (flag, key) => {
    if (flags[flag] === undefined) return;
    const value = Number(flags[flag]);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${flag}: a positive integer, not ${flags[flag]}`);
    options[key] = value;
  };
  number('per-server', 'perServer');
  number('bare', 'bare');
  number('storm', 'storm');
  number('samples', 'samples');
  number('idle-ms', 'idleMs');
  number('concurrency', 'concurrency');
  number('shutdown-grace', 'shutdownGraceMs');
  const parts = flags.only ? String(flags.only).split(',') : PARTS;
  for (const part of parts) if (!PARTS.includes(part)) throw new Error(`--only: unknown part ${part}; known: ${PARTS.join(', ')}`);
  const custom = ['only', 'per-server', 'bare', 'storm', 'samples', 'idle-ms', 'concurrency', 'shutdown-grace'].some(
    (k) => flags[k] !== undefined,
  );
  const meta = machine(flags, custom);
  const name = flags.out ?? (flags.quick ? 'scale-quick' : custom ? 'scale-partial' : `scale-${meta.date}`);
  const fdLimit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
  meta.openFileLimit = fdLimit;
  const biggest = Math.max(options.perServer, options.bare, Math.ceil(options.storm / 2));
  if (fdLimit < biggest + 500)
    throw new Error(
      `the open-file limit is ${fdLimit}: a server or generator of this run holds ${biggest} sockets; lower --per-server/--bare/--storm`,
    );

  const cleanups = [];
  const cleanup = async () => {
    while (cleanups.length > 0) {
      const stop = cleanups.pop();
      await stop().catch((error) => console.warn(`warning: cleanup: ${error.message}`));
    }
  };
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: stopping every process of the run`);
      void cleanup().then(() => process.exit(130));
    });
  const track = (handle) => {
    cleanups.push(() => handle.stop());
    return handle;
  };

  const results = { meta, options, parts };
  const problems = [];
  const loud = (message) => {
    problems.push(message);
    console.error(`\n*** ${message}\n`);
  };
  try {
    if (flags.commit) {
      if (flags.commit === true) throw new Error('--commit needs a revision: --commit=HEAD');
      const build = buildCommit(root, String(flags.commit));
      appDist = build.dist;
      meta.appFrom = `commit ${build.commit.slice(0, 12)} (git archive, built apart)`;
      meta.commit = build.commit.slice(0, 7);
      meta.srcModified = false;
      console.log(`${build.built ? 'built' : 'reusing the build of'} ${build.commit.slice(0, 12)}'s src/ in ${build.dist}`);
    } else if (!flags['no-build']) {
      try {
        const build = buildApp(root);
        meta.srcHash = build.srcHash;
        meta.appFrom = 'the working tree (bench/.app-dist)';
        if (build.built) console.log(`built src/ into bench/.app-dist (src ${build.srcHash})`);
      } catch (error) {
        throw new Error(`src/ did not build (${error.message.split('\n')[0]}); run with --commit=HEAD to measure the last commit instead`);
      }
    }
    console.log(
      `nest-realtime scale run (${meta.mode}): ${meta.cpuModel}, ${meta.cores} cores, ${meta.memoryGiB} GiB, Node ${meta.node}, open files ${fdLimit}`,
    );
    console.log(`parts: ${parts.join(', ')}; ${JSON.stringify(options)}\n`);

    const progress = progressPrinter();
    const generators = [];
    for (let i = 0; i < options.servers; i++)
      generators.push(track(await startGenerator(`g${i + 1}`, i + 1, { onProgress: progress.update })));
    const ctx = { options, generators, track, loud, progress, meta };

    if (parts.includes('connections')) results.connections = await connectionsAtScale(ctx);
    if (parts.includes('storm')) results.storm = await reconnectStorm(ctx);
  } catch (error) {
    if (interrupted) return;
    loud(`the run stopped: ${error.stack ?? error.message}`);
    results.error = error.message;
  } finally {
    await cleanup();
  }
  if (interrupted) return;
  if (!results.connections && !results.storm) {
    console.error('\nNothing was measured; no results written.');
    process.exitCode = 1;
    return;
  }

  meta.durationS = Math.round((Date.now() - meta.startedAt) / 1000);
  results.problems = problems;
  results.targets = targetsOf(results);
  const resultsDir = join(here, 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(resultsDir, `${name}.md`), markdownReport(results));
  console.log(`\n${terminalSummary(results)}`);
  console.log(`\nDone in ${meta.durationS} s. Wrote bench/results/${name}.json and ${name}.md`);
  if (problems.length > 0) {
    console.error(`\n${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  }
}

// ---------------------------------------------------------------------------------------------------
// 1. Connections at scale
// ---------------------------------------------------------------------------------------------------

async function connectionsAtScale({ options, generators, track, loud, progress }) {
  const app = variant('app');
  const bare = variant('socketio');
  const out = {};

  // The usual p99: one fresh app server on a Redis of its own, a few hundred users, nothing else going on.
  {
    console.log(`usual latencies: one fresh app server, its own Redis, ${options.baselineUsers} users`);
    const redis = track(await startRedis());
    const server = track(await start(app, { REDIS_URL: redis.url, NODE_ID: 'scale-single' }));
    const ramp = await openGroup(generators[0], 'single', server.port, 'single-', options.baselineUsers, options, loud);
    await sleep(1000);
    const singleForeign = foreignMeter([redis, server, ...generators]);
    out.single = {
      users: ramp.opened,
      probes: await probeLatencies({
        senderPort: server.port,
        receiverPort: server.port,
        queryIds: userIds('single-', ramp.opened),
        samples: options.samples,
        tag: 'single',
      }),
    };
    out.single.probes.otherProcessesLoad = singleForeign();
    console.log(`  ${probeLine(out.single.probes)}`);
    await generators[0].send('close', { group: 'single' });
    await server.stop();
    await redis.stop();
  }

  const redis = track(await startRedis());
  const probe = redisProbe(redis.url);
  track({ stop: () => probe.close() });

  // Bare Socket.IO at N sockets, from rest, with the same sharded Redis adapter (no user rooms, so no channels).
  {
    console.log(`\nbare Socket.IO: one process, ${options.bare} sockets`);
    const server = track(await start(bare, { REDIS_URL: redis.url }));
    await sleep(1000);
    const base = await settle(server);
    const ramp = await openGroup(generators[0], 'bare', server.port, 'bare-', options.bare, options, loud, progress);
    const reading = await settle(server);
    out.bare = { sockets: ramp.opened, ramp: rampFigures(ramp), memory: perSocket(base, reading, ramp.opened) };
    console.log(`  ${memoryLine(out.bare.memory)}; ${ramp.rate} handshakes/s`);
    await generators[0].send('close', { group: 'bare' });
    await server.stop();
  }

  // The app: servers on one Redis, each ramped to N sockets of distinct users.
  console.log(`\nthe app: ${options.servers} servers on one Redis, ${options.perServer} sockets each`);
  const servers = await startTogether(
    Array.from({ length: options.servers }, (_, i) => () => start(app, { REDIS_URL: redis.url, NODE_ID: `scale-${i + 1}` })),
  );
  servers.forEach(track);
  const logs = servers.map(logCounter);
  await sleep(2000);
  const bases = await Promise.all(servers.map((server) => settle(server)));
  const redisBefore = await probe.snapshot();
  const redisCpuBefore = redis.cpuMs();
  const serverCpuBefore = servers.map((server) => server.cpuMs());
  const genCpuBefore = generators.map((g) => g.cpuMs());
  const ours = [redis, ...servers, ...generators];
  const rampForeign = foreignMeter(ours);
  const rampListen = listenCounters();
  const rampStarted = Date.now();
  const ramps = await Promise.all(
    servers.map((server, i) => openGroup(generators[i], 'app', server.port, `u${i + 1}-`, options.perServer, options, loud, progress)),
  );
  const rampMs = Date.now() - rampStarted;
  const rampOthers = rampForeign();
  const redisCpuRamp = redis.cpuMs() - redisCpuBefore;
  // Work a handshake leaves behind (presence, subscriptions) lands just after it.
  await sleep(2000);
  const redisCpuRampSettled = redis.cpuMs() - redisCpuBefore;
  const serverCpuRamp = servers.map((server, i) => server.cpuMs() - serverCpuBefore[i]);
  const genCpuRamp = generators.map((g, i) => g.cpuMs() - genCpuBefore[i]);
  const total = ramps.reduce((sum, r) => sum + r.opened, 0);
  const redisAfter = await probe.snapshot();
  const readings = await Promise.all(servers.map((server) => settle(server)));
  out.app = {
    servers: options.servers,
    sockets: total,
    target: options.servers * options.perServer,
    ramp: {
      ms: rampMs,
      handshakesPerSecond: Math.round((total * 1000) / rampMs),
      latency: summary(pooled(ramps.map((r) => r.latencyHist))),
      perGenerator: ramps.map(rampFigures),
      serverCpuMs: serverCpuRamp.map(Math.round),
      serverCpuPerHandshakeUs: serverCpuRamp.map((ms, i) => round((ms * 1000) / Math.max(1, ramps[i].opened), 1)),
      generatorCpuMs: genCpuRamp.map(Math.round),
      otherProcessesLoad: rampOthers,
      listenQueue: listenCounters(rampListen),
    },
    perProcess: servers.map((server, i) => ({
      node: `scale-${i + 1}`,
      sockets: ramps[i].opened,
      ...perSocket(bases[i], readings[i], ramps[i].opened),
    })),
    redis: {
      before: redisBefore,
      after: redisAfter,
      memoryPerSocketBytes: round((redisAfter.usedMemory - redisBefore.usedMemory) / Math.max(1, total), 1),
      datasetPerSocketBytes: round((redisAfter.usedMemoryDataset - redisBefore.usedMemoryDataset) / Math.max(1, total), 1),
      cpuMsRamp: Math.round(redisCpuRamp),
      cpuMsRampSettled: Math.round(redisCpuRampSettled),
      cpuPerConnectionUs: round((redisCpuRampSettled * 1000) / Math.max(1, total), 1),
      cpuLoadWhileRamping: round(redisCpuRamp / rampMs, 3),
    },
  };
  const mean = (list) => list.reduce((a, b) => a + b, 0) / list.length;
  out.app.rssPerSocketBytes = Math.round(mean(out.app.perProcess.map((p) => p.rssPerSocketBytes)));
  out.app.heapPerSocketBytes = Math.round(mean(out.app.perProcess.map((p) => p.heapPerSocketBytes)));
  out.app.rssRatioToBare = round(out.app.rssPerSocketBytes / out.bare.memory.rssPerSocketBytes, 3);
  out.app.heapRatioToBare = round(out.app.heapPerSocketBytes / out.bare.memory.heapPerSocketBytes, 3);
  console.log(
    `  ${total} sockets in ${(rampMs / 1000).toFixed(1)} s (${out.app.ramp.handshakesPerSecond} handshakes/s, p99 ${out.app.ramp.latency.p99} ms)`,
  );
  for (const p of out.app.perProcess) console.log(`  ${p.node}: ${p.sockets} sockets, ${memoryLine(p)}`);
  console.log(
    `  Redis: ${out.app.redis.memoryPerSocketBytes} B/socket (${redisBefore.keys} -> ${redisAfter.keys} keys, ${redisBefore.shardChannels} -> ${redisAfter.shardChannels} sharded channels), ${out.app.redis.cpuPerConnectionUs} µs CPU/connection`,
  );

  // Idle: event-loop delay of every server at once, and what the idle sockets cost in CPU.
  console.log(`  idle for ${options.idleMs / 1000} s: event-loop delay`);
  const idleCpuBefore = servers.map((server) => server.cpuMs());
  const idleRedisBefore = redis.cpuMs();
  const idleAt = Date.now();
  const idleForeign = foreignMeter(ours);
  const eld = await Promise.all(servers.map((server) => server.eld(options.idleMs)));
  const idleMs = Date.now() - idleAt;
  out.app.idle = {
    ms: idleMs,
    perProcess: eld.map((figures, i) => ({
      node: `scale-${i + 1}`,
      eld: { ...roundAll(figures), p99Delay: round(Math.max(0, figures.p99 - figures.resolution), 2) },
      cpuLoad: round((servers[i].cpuMs() - idleCpuBefore[i]) / idleMs, 3),
    })),
    redisCpuLoad: round((redis.cpuMs() - idleRedisBefore) / idleMs, 3),
    otherProcessesLoad: idleForeign(),
  };
  out.app.idle.worstP99Delay = Math.max(...out.app.idle.perProcess.map((p) => p.eld.p99Delay));
  for (const p of out.app.idle.perProcess)
    console.log(
      `  ${p.node}: loop delay p99 ${p.eld.p99Delay} ms over the ${p.eld.resolution} ms timer (max ${round(p.eld.max - p.eld.resolution, 1)}), CPU ${(p.cpuLoad * 100).toFixed(1)} %`,
    );
  const status = await Promise.all(generators.map((g) => g.send('status')));
  out.app.lostWhileIdle = status.reduce((sum, s) => sum + (s.groups.app?.lost ?? 0), 0);
  out.app.stillOpen = status.reduce((sum, s) => sum + (s.groups.app?.open ?? 0), 0);
  if (out.app.lostWhileIdle > 0) loud(`${out.app.lostWhileIdle} sockets of the app were closed by the server after the ramp`);

  // The probes at scale: sender on the first server, receiver on the last.
  console.log(`  probes at scale (${options.samples} of each)`);
  const probeForeign = foreignMeter(ours);
  out.app.probes = await probeLatencies({
    senderPort: servers[0].port,
    receiverPort: servers.at(-1).port,
    queryIds: servers.flatMap((_, i) => userIds(`u${i + 1}-`, ramps[i].opened)),
    samples: options.samples,
    tag: 'scale',
  });
  out.app.probes.otherProcessesLoad = probeForeign();
  console.log(`  ${probeLine(out.app.probes)}`);
  out.app.logs = logs.map((log) => log.summary());

  await Promise.all(generators.map((g) => g.send('close', { group: 'app' })));
  for (const server of servers) await server.stop();
  return out;
}

// ---------------------------------------------------------------------------------------------------
// 2. Reconnect storm
// ---------------------------------------------------------------------------------------------------

async function reconnectStorm({ options, generators, track, loud, progress }) {
  const app = variant('app');
  const count = options.storm;
  console.log(`\nreconnect storm: ${count} sockets on node A, node B beside it; SIGTERM to A`);
  const redis = track(await startRedis());
  const probe = redisProbe(redis.url);
  track({ stop: () => probe.close() });
  // The app's own grace (10 s, unless --shutdown-grace) and offline grace (5 s): the bench variant sets WS_SHUTDOWN_GRACE_MS=0.
  const env = { REDIS_URL: redis.url, WS_SHUTDOWN_GRACE_MS: String(options.shutdownGraceMs) };
  const [a, b] = await startTogether([() => start(app, { ...env, NODE_ID: 'storm-a' }), () => start(app, { ...env, NODE_ID: 'storm-b' })]);
  track(a);
  track(b);
  const logs = { a: logCounter(a), b: logCounter(b) };
  const gens = generators.slice(0, Math.min(2, generators.length));
  const shares = gens.map((_, i) => Math.floor(count / gens.length) + (i < count % gens.length ? 1 : 0));
  const firsts = shares.map((_, i) => shares.slice(0, i).reduce((x, y) => x + y, 0));
  const ramps = await Promise.all(
    gens.map((g, i) => openGroup(g, 'storm', a.port, 'storm-', shares[i], options, loud, progress, firsts[i])),
  );
  const users = userIds('storm-', count);
  const opened = ramps.reduce((sum, r) => sum + r.opened, 0);
  if (opened < count) throw new Error(`the storm needs all ${count} sockets on node A; ${opened} connected`);

  // Watchers on B, 1,000 users each, counting every presence:update by status.
  const updates = { total: 0, byStatus: {}, offlineUsers: [] };
  const onUpdate = (data) => {
    if (data.indexOf('"presence:update"') === -1) return;
    const entry = JSON.parse(data.toString().slice(2))[1];
    updates.total++;
    updates.byStatus[entry.status] = (updates.byStatus[entry.status] ?? 0) + 1;
    if (entry.status === 'offline' && updates.offlineUsers.length < 20) updates.offlineUsers.push(entry.userId);
  };
  const watchers = [];
  track({ stop: async () => watchers.forEach((w) => w.close()) });
  const before = { byStatus: {} };
  for (let w = 0; w * WATCH_PER_SOCKET < count; w++) {
    const watcher = new WireClient({ port: b.port, token: tokenFor(`watcher-${w}`), onEvent: onUpdate });
    watchers.push(watcher);
    await connectOrThrow(watcher, `watcher ${w} on node B`);
    for (const ids of chunks(users.slice(w * WATCH_PER_SOCKET, (w + 1) * WATCH_PER_SOCKET), IDS_PER_REQUEST)) {
      const { presence } = replyData(await watcher.call('presence:subscribe', { userIds: ids }));
      for (const entry of presence) before.byStatus[entry.status] = (before.byStatus[entry.status] ?? 0) + 1;
    }
  }
  if ((before.byStatus.online ?? 0) !== count)
    loud(`before the storm, the watchers saw ${JSON.stringify(before.byStatus)}, not ${count} online`);
  const querier = new WireClient({ port: b.port, token: tokenFor('storm-querier') });
  track({ stop: async () => querier.close() });
  await connectOrThrow(querier, 'the presence querier on node B');
  const updatesBefore = updates.total;

  await Promise.all(
    gens.map((g) =>
      g.send('storm', {
        group: 'storm',
        port: b.port,
        timeoutMs: 20_000,
        graceMs: OFFLINE_GRACE_MS,
      }),
    ),
  );
  await sleep(1000);
  // A's CPU time is read for as long as it has a /proc entry: the last reading stands for its end.
  let aCpu = a.cpuMs();
  const readA = () => {
    try {
      aCpu = a.cpuMs();
    } catch {
      // A has exited.
    }
    return aCpu;
  };
  const cpu = () => ({ redis: redis.cpuMs(), a: readA(), b: b.cpuMs(), gens: gens.map((g) => g.cpuMs()) });
  const cpu0 = cpu();
  const stormForeign = foreignMeter([redis, b, ...gens, { cpuMs: readA }]);
  const stormListen = listenCounters();
  const t0 = Date.now();
  const aExit = once(a.child, 'exit').then(() => Date.now());
  const aWatch = setInterval(readA, 100);
  a.child.kill('SIGTERM');
  let statuses;
  let lastPrint = 0;
  for (;;) {
    statuses = await Promise.all(gens.map((g) => g.send('stormStatus', { group: 'storm' })));
    const moved = statuses.reduce((sum, s) => sum + s.moved, 0);
    const now = Date.now();
    if (now - lastPrint >= 2000) {
      const told = statuses.reduce((sum, s) => sum + s.shutdownSeen, 0);
      console.log(`  +${((now - t0) / 1000).toFixed(1)} s: ${told} told to move, ${moved} back on B`);
      lastPrint = now;
    }
    if (moved >= count) break;
    if (now - t0 > STORM_TIMEOUT_MS) {
      loud(`the storm: only ${moved} of ${count} clients were back on node B after ${STORM_TIMEOUT_MS / 1000} s`);
      break;
    }
    await sleep(100);
  }
  const cpuBack = cpu();
  const stormOthers = stormForeign();
  const stormListenQueue = listenCounters(stormListen);
  const backAt = Math.max(...statuses.map((s) => s.lastMoveAt ?? 0));
  const aExitedAt = await Promise.race([aExit, sleep(options.shutdownGraceMs + 20_000).then(() => undefined)]);
  if (aExitedAt === undefined) loud('node A did not exit within its shutdown grace + 20 s of SIGTERM');
  clearInterval(aWatch);
  const cpuExit = cpu();
  // Offline updates would come one offline grace after a user's last socket left: wait past it.
  const lastLeft = Math.max(backAt, aExitedAt ?? Date.now());
  await sleep(Math.max(0, lastLeft + OFFLINE_GRACE_MS + 3000 - Date.now()));
  statuses = await Promise.all(gens.map((g) => g.send('stormStatus', { group: 'storm' })));

  const after = { byStatus: {} };
  for (const ids of chunks(users, IDS_PER_REQUEST)) {
    const { presence } = replyData(await querier.call('presence:query', { userIds: ids }));
    for (const entry of presence) after.byStatus[entry.status] = (after.byStatus[entry.status] ?? 0) + 1;
  }
  const registry = await probe.registry(users, { userPrefix: 'storm-' });
  const stormMs = (at) => (at === undefined ? undefined : at - t0);
  const sum = (key) => statuses.reduce((total, s) => total + s[key], 0);
  const out = {
    sockets: count,
    watchers: watchers.length,
    watchedUsers: count,
    shutdownGraceMs: options.shutdownGraceMs,
    offlineGraceMs: OFFLINE_GRACE_MS,
    before,
    backMs: stormMs(backAt),
    allBack: sum('moved') >= count,
    moved: sum('moved'),
    told: sum('shutdownSeen'),
    lastToldMs: stormMs(Math.max(...statuses.map((s) => s.lastShutdownAt ?? 0))),
    firstBackMs: stormMs(Math.min(...statuses.map((s) => s.firstMoveAt ?? Infinity))),
    aExitMs: stormMs(aExitedAt),
    lostBeforeMove: sum('lostBeforeMove'),
    droppedAfterMove: sum('droppedAfterMove'),
    attempts: sum('attempts'),
    failedAttempts: sum('failedAttempts'),
    failures: mergeCounts(statuses.map((s) => s.failures)),
    failureSamples: statuses.flatMap((s) => s.samples).slice(0, 5),
    handshake: summary(pooled(statuses.map((s) => s.latencyHist))),
    // From dropping the old connection to the new one's `40`: a user away longer than the offline grace goes offline.
    away: summary(pooled(statuses.map((s) => s.awayHist))),
    awayOverGrace: sum('awayOverGrace'),
    handshakesPerSecond: round((sum('moved') * 1000) / Math.max(1, backAt - Math.min(...statuses.map((s) => s.firstMoveAt ?? backAt))), 0),
    cpuMs: {
      redisUntilBack: Math.round(cpuBack.redis - cpu0.redis),
      redisUntilAExit: Math.round(cpuExit.redis - cpu0.redis),
      a: Math.round(cpuExit.a - cpu0.a),
      bUntilBack: Math.round(cpuBack.b - cpu0.b),
      generators: cpuBack.gens.map((ms, i) => Math.round(ms - cpu0.gens[i])),
    },
    updatesDuringStorm: { total: updates.total - updatesBefore, byStatus: updates.byStatus, offlineUsers: updates.offlineUsers },
    falseOffline: updates.byStatus.offline ?? 0,
    otherProcessesLoad: stormOthers,
    listenQueue: stormListenQueue,
    after,
    registry,
    aLog: interestingLines(a.tail()),
    // Every line each node logged from its start, counted by message (socket ids and numbers masked).
    logs: { a: logs.a.summary(), b: logs.b.summary() },
  };
  out.redisCpuLoadUntilBack = round(out.cpuMs.redisUntilBack / Math.max(1, out.backMs), 3);
  out.redisCpuPerReconnectUs = round((out.cpuMs.redisUntilAExit * 1000) / count, 1);
  console.log(
    `  all ${count} back on B in ${(out.backMs / 1000).toFixed(2)} s (handshake p99 ${out.handshake.p99} ms, ${out.failedAttempts} failed attempts, ${out.lostBeforeMove} dropped by A before they moved); A exited at +${((out.aExitMs ?? NaN) / 1000).toFixed(1)} s`,
  );
  console.log(
    `  presence afterwards: ${JSON.stringify(after.byStatus)}; registry: ${registry.exactlyOne} users with exactly one socket, ${registry.none} with none, ${registry.several} with more (${JSON.stringify(registry.socketsByNode)}); offline updates seen: ${out.falseOffline}`,
  );
  if (out.falseOffline > 0)
    loud(`the watchers saw ${out.falseOffline} offline updates during the storm (${updates.offlineUsers.slice(0, 5).join(', ')} ...)`);
  if ((after.byStatus.online ?? 0) !== count)
    loud(`after the storm, presence:query says ${JSON.stringify(after.byStatus)}, not ${count} online`);
  if (registry.exactlyOne !== count)
    loud(`after the storm, the registry holds ${registry.exactlyOne} of ${count} users with exactly one socket`);

  for (const w of watchers) w.close();
  querier.close();
  await Promise.all(gens.map((g) => g.send('close', { group: 'storm' })));
  await b.stop();
  await a.stop();
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

/**
 * The kernel's count of connections a full accept queue turned away (TcpExt ListenOverflows and
 * ListenDrops, machine-wide; this run's servers are the only busy listeners): the client's SYN
 * goes unanswered and is sent again after 1 s, then 2 s, 4 s... Without `since`, the counters
 * now; with it, what was added since.
 */
function listenCounters(since) {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const at = lines.findIndex((line) => line.startsWith('TcpExt:'));
  const names = lines[at].split(/\s+/);
  const values = lines[at + 1].split(/\s+/).map(Number);
  const get = (name) => values[names.indexOf(name)] ?? NaN;
  const now = { overflows: get('ListenOverflows'), drops: get('ListenDrops'), syncookies: get('SyncookiesSent') };
  if (!since) return now;
  return { overflows: now.overflows - since.overflows, drops: now.drops - since.drops, syncookies: now.syncookies - since.syncookies };
}

/**
 * The share of the whole machine (all cores) that processes other than this run's used from now
 * until the returned function is called: the machine is shared, and a figure taken while
 * something else was busy is noisier. `processes` have cpuMs(); this process counts as the run's.
 */
function foreignMeter(processes) {
  const read = () => {
    let ms = (process.cpuUsage().user + process.cpuUsage().system) / 1000;
    for (const p of processes) {
      try {
        ms += p.cpuMs();
      } catch {
        // Exited: its CPU time is gone from /proc, and counted as someone else's.
      }
    }
    return { at: Date.now(), machine: machineBusyMs(), ours: ms };
  };
  const start = read();
  return () => {
    const end = read();
    const others = end.machine - start.machine - (end.ours - start.ours);
    return round(Math.max(0, others) / Math.max(1, end.at - start.at) / CORES, 3);
  };
}

function variant(id) {
  return VARIANTS.find((v) => v.id === id);
}

/** A server of `v` with its load flags (the app ships with them), not pinned: four servers and four generators share two cores. */
function start(v, env) {
  const dist = v.id === 'app' && appDist ? { BENCH_APP_DIST: appDist } : {};
  return startServer({
    name: `${v.id}${env.NODE_ID ? ` ${env.NODE_ID}` : ''}`,
    script: v.script,
    env: { ...v.env, ...dist, ...env },
    nodeArgs: v.loadNodeArgs ?? [],
  });
}

/**
 * Opens `count` sockets of users <prefix><from>... on `port` from generator `g`; says loudly what
 * failed and why. Throws when not one connected.
 */
async function openGroup(g, group, port, prefix, count, options, loud, progress, from = 0) {
  const result = await g.send('open', {
    group,
    port,
    prefix,
    from,
    count,
    concurrency: options.concurrency,
    timeoutMs: CONNECT_TIMEOUT_MS,
  });
  progress?.done(g.name);
  if (result.failed > 0) {
    loud(
      `${g.name} -> port ${port} (${group}): ${result.opened} of ${count} connected, ${result.failed} failed${result.stoppedEarly ? `, and it stopped after ${result.attempted} attempts` : ''}: ${JSON.stringify(result.failures)}; e.g. ${result.samples.join(' | ')}`,
    );
  }
  if (result.opened === 0) throw new Error(`${g.name}: no socket connected to port ${port} (${group}): ${result.samples.join(' | ')}`);
  return result;
}

function rampFigures(r) {
  const { latencyHist: _hist, samples: _samples, ...rest } = r;
  return rest;
}

/** Forces GC in the server, then waits until its RSS holds still (within 0.5 % over 500 ms) and reads it. */
async function settle(server) {
  let previous = -1;
  let reading;
  for (let attempt = 0; attempt < 20; attempt++) {
    reading = await server.mem();
    await sleep(500);
    const { rss } = server.rss();
    if (previous > 0 && Math.abs(rss - previous) / previous < 0.005) return { ...reading, rss };
    previous = rss;
  }
  return { ...reading, rss: server.rss().rss, unsettled: true };
}

function perSocket(base, reading, sockets) {
  const per = (after, before) => Math.round((after - before) / Math.max(1, sockets));
  return {
    baseRss: base.rss,
    rss: reading.rss,
    baseHeapUsed: base.heapUsed,
    heapUsed: reading.heapUsed,
    rssPerSocketBytes: per(reading.rss, base.rss),
    heapPerSocketBytes: per(reading.heapUsed, base.heapUsed),
    externalPerSocketBytes: per(reading.external + reading.arrayBuffers, base.external + base.arrayBuffers),
    unsettled: Boolean(base.unsettled || reading.unsettled),
  };
}

function userIds(prefix, count, from = 0) {
  return Array.from({ length: count }, (_, i) => `${prefix}${from + i}`);
}

function* chunks(list, size) {
  for (let i = 0; i < list.length; i += size) yield list.slice(i, i + size);
}

/** The `data` of an ack frame `43<id>[{"ok":true,"data":...}]`. */
function replyData(frame) {
  const text = frame.toString();
  const start = text.indexOf('[');
  return JSON.parse(text.slice(start))[0].data;
}

function mergeCounts(list) {
  const merged = {};
  for (const counts of list) for (const [key, value] of Object.entries(counts)) merged[key] = (merged[key] ?? 0) + value;
  return merged;
}

/**
 * Counts what a server logs, from now on, by message: the app logs JSON lines (NODE_ENV=production);
 * socket ids, user ids and numbers are masked so that one message with different ids counts once.
 * Keeps the first lines of each message as they were.
 */
function logCounter(server) {
  const counts = new Map();
  let rest = '';
  const read = (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) {
      if (!line.trim() || line.startsWith('BENCH_')) continue;
      let message = line;
      let level = '';
      try {
        const parsed = JSON.parse(line);
        message = `${parsed.context ?? ''}: ${parsed.message}`;
        level = parsed.level ?? '';
      } catch {
        // Not JSON: counted as it is.
      }
      const key = `${level} ${message.replace(/socket [\w-]{20}/g, 'socket <id>').replace(/\d+/g, 'N')}`.trim();
      const entry = counts.get(key) ?? { count: 0, examples: [] };
      entry.count++;
      if (entry.examples.length < 2) entry.examples.push(message.slice(0, 300));
      counts.set(key, entry);
    }
  };
  server.child.stdout.on('data', read);
  server.child.stderr.on('data', read);
  return {
    summary: () =>
      [...counts]
        .sort((x, y) => y[1].count - x[1].count)
        .slice(0, 20)
        .map(([message, { count, examples }]) => ({ message, count, examples })),
  };
}

/** A server's log lines worth keeping: warnings, errors, drain messages (its tail holds the last 40 lines). */
function interestingLines(tail) {
  return tail
    .split('\n')
    .filter((line) => /warn|error|drain|exception|refus|timeout|slow/i.test(line))
    .slice(-15);
}

function round(value, digits = 0) {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function roundAll(figures) {
  return Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round(v, 3)]));
}

function memoryLine(m) {
  return `RSS ${(m.rssPerSocketBytes / 1024).toFixed(2)} KiB/socket, JS heap ${(m.heapPerSocketBytes / 1024).toFixed(2)} KiB/socket${m.unsettled ? ' (RSS did not settle)' : ''}`;
}

function probeLine(p) {
  return `presence:query (${p.presenceQuery.idsPerQuery} ids) p50 ${p.presenceQuery.p50} p99 ${p.presenceQuery.p99} ms; chat:send ack p99 ${p.chatSendAck.p99} ms, push to the other member p50 ${p.chatPush.p50} p99 ${p.chatPush.p99} ms${p.chatPush.lost ? `, ${p.chatPush.lost} pushes LOST` : ''}`;
}

/** Prints the ramp's progress, all generators together, every 5 s. */
function progressPrinter() {
  const state = new Map();
  let last = 0;
  return {
    update(name, message) {
      state.set(name, message);
      const now = Date.now();
      if (now - last < 5000) return;
      last = now;
      const opened = [...state.values()].reduce((sum, m) => sum + m.opened, 0);
      const failed = [...state.values()].reduce((sum, m) => sum + m.failed, 0);
      console.log(`  ... ${opened} connected${failed ? `, ${failed} failed` : ''}`);
    },
    done(name) {
      state.delete(name);
    },
  };
}

function machine(flags, custom) {
  return {
    ...machineFacts(root),
    mode: flags.quick ? 'quick' : custom ? 'partial' : 'full',
    command: `npm run bench:scale${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    loadAverageAtStart: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
}

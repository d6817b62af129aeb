// `npm run bench`: starts every server variant itself, drives them all with
// the same raw Engine.IO / Socket.IO client, the same payloads and the same
// phases, in interleaved rounds (A B C D, A B C D, ...), and reports medians
// and ratios against bare Socket.IO from the same run. Servers run pinned to
// core 0, this process (the load generator) to core 1.
//
//   npm run bench                      full run, writes bench/results/latest.{json,svg,md} (and latest-scale.*)
//   npm run bench -- --quick           4 to 5 minutes, writes bench/results/quick.* (and quick-scale.*)
//   npm run bench -- --only=echo,memory --variants=socketio,app --rounds=3
//   npm run bench -- --only=events --variants=socketio,app   the app's real events beside bare Socket.IO
//   npm run bench -- --only=rooms      CPU per delivery as a room grows (10 to 10,000 members, 1 and 2 nodes),
//                                      bare Socket.IO and the app; also writes bench/results/<name>-rooms.svg
//   npm run bench -- --only=rooms --room-sizes=100,10000 --rounds=1   two of the sizes, one round
//   npm run bench -- --only=scale      the scale run alone (bench/scale.mjs: 4 x 19,000 sockets, a 15,000-socket storm),
//                                      which every full and quick run ends with; its targets join this run's report
//   npm run bench -- --profile         CPU profile of the app (and bare Socket.IO) in the echo run
//   npm run bench -- --report=bench/results/latest.json   render a run's raw results again
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from './lib/build.mjs';
import {
  CORES,
  HAS_TASKSET,
  inRaisedOpenFileLimit,
  machineFacts,
  startRedis,
  startRedisCluster,
  startServer,
  startTogether,
  waitQuiet,
} from './lib/proc.mjs';
import { summarizeProfile } from './lib/profile.mjs';
import {
  checkTargets,
  markdownTable,
  ratioRows,
  roomsRows,
  roomsSvg,
  summarize,
  svgChart,
  tableRows,
  targetLines,
  terminalTable,
  valueRows,
} from './lib/report.mjs';
import { runEcho } from './lib/scenarios/echo.mjs';
import { EVENT_CASES, runEvents } from './lib/scenarios/events.mjs';
import { runClusterPaired, runFanout } from './lib/scenarios/fanout.mjs';
import { runHandshake } from './lib/scenarios/handshake.mjs';
import { runMemory } from './lib/scenarios/memory.mjs';
import { runPaired } from './lib/scenarios/paired.mjs';
import { runRooms } from './lib/scenarios/rooms.mjs';
import { targetsOf as scaleTargets } from './lib/scale/report.mjs';
import { smoke } from './lib/smoke.mjs';
import { APP_RATE_LIMIT, BASELINE, VARIANTS } from './lib/variants.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const argv = process.argv.slice(2);
// `scale` runs last, once, as its own process: `npm run bench:scale` (four app servers and bare Socket.IO
// ramped to 19,000 sockets each, and a reconnect storm), its targets added to this run's report.
const SCENARIOS = ['echo', 'paired', 'events', 'handshake', 'fanout', 'redis', 'rediscluster', 'cluster', 'rooms', 'memory', 'scale'];
// The rooms scenario compares the app with bare Socket.IO only.
const ROOMS_VARIANTS = [BASELINE, 'app'];

const FULL = {
  // events: five events of 32 s each per round (the paired echo's phases), about 8 minutes in all.
  // rooms: about 5 minutes a round (16 cells of about 15 s each, 25 s with the room of 10,000 to open and close).
  rounds: { echo: 5, paired: 5, events: 3, handshake: 4, fanout: 3, redis: 3, rediscluster: 3, cluster: 3, rooms: 3, memory: 3, scale: 1 },
  warmupMs: 1000,
  echoMs: 4000,
  // The fixed-rate phase runs longer: its p99 rests on the slowest 1 % of
  // rate x duration requests (500 at 10 s), a handful of stall bursts at 4 s.
  fixedMs: 10000,
  echoClients: 50,
  fixedRate: 5000,
  handshakes: 5000,
  receivers: 1000,
  rates: [10, 25, 50, 75, 100, 125, 150, 200, 300],
  stepMs: 2500,
  // One node and two nodes in alternating slices: messages/s to the room of `receivers`, and time per side.
  clusterRate: 50,
  clusterMs: 10000,
  memoryConnections: [5000, 10000],
  // Rooms: the same deliveries/s for every size (messages/s = roomRate / size), measured for roomMs after
  // roomWarmupMs unmeasured, then roomIdleMs with nothing sent. 20k/s: the 10-member room's 2,000 messages/s
  // leave the app's node well below saturation, and a 10,000-member room's message every 500 ms is long done
  // (about 100 ms of server work) before the next.
  roomSizes: [10, 100, 1000, 10000],
  roomRate: 20000,
  roomMs: 10000,
  roomWarmupMs: 2000,
  roomIdleMs: 2000,
  quietMaxWaitMs: 60000,
  quietWindowMs: 300,
  settleMs: 500,
  fanoutWarmupMs: 1000,
  retries: 3,
  maxForeign: 0.1,
  // A fixed-rate window the hypervisor took more than 1 % of the server core
  // from is measured again: its p99 stands on the slowest 1 % of requests.
  maxStolen: 0.01,
  reuseServers: false,
};

const QUICK = {
  rounds: { echo: 1, paired: 1, events: 1, handshake: 1, fanout: 1, redis: 1, rediscluster: 1, cluster: 1, rooms: 1, memory: 1, scale: 1 },
  warmupMs: 250,
  echoMs: 750,
  fixedMs: 750,
  echoClients: 50,
  fixedRate: 5000,
  handshakes: 500,
  receivers: 1000,
  rates: [50],
  stepMs: 750,
  clusterRate: 50,
  clusterMs: 1000,
  memoryConnections: [1000],
  // 3,000 rather than 10,000 members: opening 10,000 sockets four times takes longer than the rest of a quick run.
  roomSizes: [10, 100, 1000, 3000],
  roomRate: 20000,
  roomMs: 1500,
  roomWarmupMs: 500,
  roomIdleMs: 500,
  quietMaxWaitMs: 1500,
  quietWindowMs: 50,
  settleMs: 100,
  fanoutWarmupMs: 250,
  retries: 0,
  maxForeign: 0.1,
  // One server per variant for the smoke check, echo, handshake and fan-out (a start of the app takes a second).
  reuseServers: true,
};

function parseArgs(list) {
  const flags = {};
  for (const arg of list) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${arg} (see the header of bench/run.mjs)`);
    flags[match[1]] = match[2] ?? true;
  }
  const known = [
    'report',
    'no-build',
    'quick',
    'only',
    'variants',
    'rounds',
    'profile',
    'out',
    'no-pin',
    'rates',
    'receivers',
    'handshakes',
    'memory',
    'room-sizes',
    'duration',
  ];
  for (const key of Object.keys(flags))
    if (!known.includes(key)) throw new Error(`unknown flag --${key}; known: ${known.map((k) => `--${k}`).join(' ')}`);
  return flags;
}

const flags = parseArgs(argv);
const numbers = (value) =>
  String(value)
    .split(',')
    .map(Number)
    .filter((n) => Number.isFinite(n) && n > 0);
const pin = !flags['no-pin'] && HAS_TASKSET && CORES >= 2;

// Re-run this script with the open-file limit raised (10,000 connections need
// as many descriptors here as in the server) and pinned to the generator core.
if (inRaisedOpenFileLimit('BENCH_CHILD', argv, pin ? ['taskset', '-c', '1'] : [])) await main();

async function main() {
  if (flags.report) {
    // Renders a run's raw results again (after a change to the report), without measuring anything.
    const path = String(flags.report);
    return render(JSON.parse(readFileSync(path, 'utf8')), dirname(path), basename(path, '.json'));
  }
  const options = structuredClone(flags.quick ? QUICK : FULL);
  if (flags.rounds) for (const key of SCENARIOS) options.rounds[key] = Number(flags.rounds);
  if (flags.rates) options.rates = numbers(flags.rates);
  if (flags.receivers) options.receivers = Number(flags.receivers);
  if (flags.handshakes) options.handshakes = Number(flags.handshakes);
  if (flags.memory) options.memoryConnections = numbers(flags.memory);
  if (flags['room-sizes']) options.roomSizes = numbers(flags['room-sizes']);
  if (flags.duration) options.echoMs = options.fixedMs = options.stepMs = options.clusterMs = options.roomMs = Number(flags.duration);
  // Quick mode leaves out the paired echo, the events and the paired fan-out: their slices need warmed-up servers to mean anything.
  const scenarios = flags.only
    ? String(flags.only).split(',')
    : flags.quick
      ? SCENARIOS.filter((s) => !['paired', 'events', 'cluster'].includes(s))
      : SCENARIOS;
  for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`--only: unknown scenario ${s}; known: ${SCENARIOS.join(', ')}`);
  const variants = flags.variants
    ? String(flags.variants)
        .split(',')
        .map((id) => VARIANTS.find((v) => v.id === id) ?? fail(`--variants: unknown ${id}`))
    : VARIANTS;
  const baselineVariant = variants.find((v) => v.id === BASELINE);
  for (const s of ['paired', 'events'])
    if (scenarios.includes(s) && !baselineVariant) warn(`the ${s} scenario runs beside bare Socket.IO: add ${BASELINE} to --variants`);
  const custom = ['only', 'variants', 'rounds', 'rates', 'receivers', 'handshakes', 'memory', 'room-sizes', 'duration', 'no-pin'].some(
    (k) => flags[k],
  );
  const name = flags.out ?? (flags.profile ? 'profile' : flags.quick ? 'quick' : custom ? 'partial' : 'latest');
  const resultsDir = join(here, 'results');
  mkdirSync(resultsDir, { recursive: true });

  const serverCpu = pin ? 0 : undefined;
  if (!HAS_TASKSET) warn('taskset (util-linux) is not installed: servers and generator are NOT pinned; figures are less comparable');
  else if (CORES < 2) warn(`only ${CORES} core: servers and generator are NOT pinned`);
  const limit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
  // The memory scenario's and the rooms scenario's sockets are all open at once, here and in the server.
  for (const [scenario, most] of [
    ['memory', Math.max(...options.memoryConnections)],
    ['rooms', Math.max(...options.roomSizes)],
  ]) {
    if (scenarios.includes(scenario) && limit < most + 2000)
      warn(`open-file limit is ${limit}; the ${scenario} scenario needs about ${most + 2000}`);
  }

  const meta = machine(options, flags, custom, pin, variants);
  if (variants.some((v) => v.id === 'app') && !flags['no-build']) {
    const build = buildApp(root);
    meta.srcHash = build.srcHash;
    if (build.built) console.log(`built src/ into bench/.app-dist (src ${build.srcHash})`);
  }
  console.log(
    `nest-realtime bench (${meta.mode}): ${meta.cpuModel}, ${meta.cores} cores, Node ${meta.node}, servers on core ${pin ? 0 : '(any)'}, generator on core ${pin ? 1 : '(any)'}`,
  );
  console.log(
    `scenarios: ${scenarios.join(', ')}; variants: ${variants.map((v) => v.id).join(', ')}; rounds: ${scenarios.map((s) => `${s} ${options.rounds[s]}`).join(', ')}\n`,
  );

  const noisy = [];
  const quiet = async () => {
    const state = await waitQuiet({ maxWaitMs: options.quietMaxWaitMs, windowMs: options.quietWindowMs });
    const record = { quiet: state.quiet, busy: Math.round(state.busy * 1000) / 1000, waitedMs: state.waitedMs };
    if (!state.quiet) {
      noisy.push(record);
      warn(`the machine did not get quiet within ${options.quietMaxWaitMs} ms (${Math.round(state.busy * 100)} % busy); measuring anyway`);
    }
    return record;
  };
  // `load`: the server is for a load scenario, and starts with its variant's `loadNodeArgs` (see variants.mjs).
  const start = (variant, env = {}, { load = true } = {}) =>
    startServer({
      name: variant.id,
      script: variant.script,
      env: { ...variant.env, ...env },
      cpu: serverCpu,
      nodeArgs: load ? (variant.loadNodeArgs ?? []) : [],
    });
  // Quick mode starts one server per variant up front, all at once, keeps each for the smoke check, echo,
  // handshake and fan-out, and stops them at the end; a full run starts a fresh server every time. The
  // memory scenario always gets a fresh server: one that sat idle for seconds has handed pages back to
  // the system, and regrowing them would count against its connections (about 2x at 1,000). The
  // two-node run starts its own.
  const shared = new Map();
  const acquire = async (variant, { fresh = false, load = true } = {}) => {
    if (fresh || !shared.has(variant.id)) return { server: await start(variant, {}, { load }), release: (server) => server.stop() };
    return { server: shared.get(variant.id), release: async () => {} };
  };

  if (flags.profile)
    return profileRun({ variants: variants.filter((v) => v.id === 'app' || v.id === 'socketio'), options, quiet, start, resultsDir, meta });

  if (options.reuseServers) {
    const servers = await startTogether(variants.map((variant) => () => start(variant)));
    variants.forEach((variant, i) => shared.set(variant.id, servers[i]));
  }

  const smokeResults = {};
  for (const variant of variants) {
    const { server, release } = await acquire(variant);
    try {
      smokeResults[variant.id] = await smoke(variant, server.port);
    } finally {
      await release(server);
    }
    const s = smokeResults[variant.id];
    console.log(`smoke ${variant.id}: ${s.ok ? 'ok (a real client speaks to it)' : `FAILED: ${s.error}`}`);
  }

  // The two-node fan-out alternates with the one-node fan-out round by round, and the two nodes over a
  // Redis Cluster with the two nodes over one Redis: their targets are ratios of the two, which should
  // not be ratios of two phases minutes apart on a machine whose speed drifts.
  const fanouts = ['fanout', 'redis', 'rediscluster'];
  const phases = [];
  for (const scenario of scenarios.filter((s) => s !== 'scale')) {
    const joins = fanouts.slice(0, fanouts.indexOf(scenario));
    if (joins.length > 0 && phases.at(-1)?.some((s) => joins.includes(s))) phases.at(-1).push(scenario);
    else phases.push([scenario]);
  }
  const runs = {};
  for (const phase of phases) for (const scenario of phase) runs[scenario] = {};
  for (const phase of phases) {
    const rounds = Math.max(...phase.map((scenario) => options.rounds[scenario]));
    for (let round = 0; round < rounds; round++) {
      for (const scenario of phase) if (round < options.rounds[scenario]) await runRound(scenario, round);
    }
  }

  for (const server of shared.values()) await server.stop();
  const scale = scenarios.includes('scale') ? runScale(`${name}-scale`, Boolean(flags.quick)) : undefined;
  meta.durationS = Math.round((Date.now() - meta.startedAt) / 1000);
  const retried = walk(runs).filter((r) => r.attempts > 1);
  const dirty = walk(runs).filter((r) => r.noisy);
  meta.repeatedMeasurements = retried.length;
  meta.noisyMeasurements = dirty.length;
  render(
    { meta, options, variants: variants.map(({ id, label }) => ({ id, label })), smoke: smokeResults, noisy, runs, scale },
    resultsDir,
    name,
  );

  async function runRound(scenario, round) {
    const rounds = options.rounds[scenario];
    for (const variant of variants) {
      if (['redis', 'rediscluster', 'cluster'].includes(scenario) && !variant.redis) continue;
      if (scenario === 'rooms' && !ROOMS_VARIANTS.includes(variant.id)) continue;
      // A pair is bare Socket.IO and another variant: the baseline's figures come from every pair.
      if ((scenario === 'paired' || scenario === 'events') && (variant.id === BASELINE || !baselineVariant)) continue;
      // The events scenario needs the app's events: bare ws and the plain Nest gateway have only the echo and chat.
      if (scenario === 'events' && !variant.events) continue;
      let result;
      const began = Date.now();
      try {
        result = await runOne(scenario, variant, round);
      } catch (error) {
        result = { error: error.message };
        warn(`${scenario} ${variant.id} round ${round + 1}: ${error.message}`);
      }
      result.seconds = Math.round((Date.now() - began) / 100) / 10;
      (runs[scenario][variant.id] ??= [])[round] = result;
      console.log(`[${scenario} ${round + 1}/${rounds}] ${variant.id.padEnd(8)} ${headline(scenario, result)}`);
    }
  }

  // A redis-server of the harness's own and two nodes of `variant` sharing it (after one server alone
  // when `withSingle`), all started together; `body(redis, servers)` runs on them, then all stop.
  async function withRedisNodes(variant, withSingle, body) {
    const redis = await startRedis({ cpu: serverCpu });
    const servers = [];
    try {
      const node = (id) => () => start(variant, { REDIS_URL: redis.url, NODE_ID: `bench-${id}` });
      servers.push(...(await startTogether([...(withSingle ? [() => start(variant)] : []), node('a'), node('b')])));
      await quiet();
      return await body(redis, servers);
    } finally {
      for (const server of servers) await server.stop();
      await redis.stop();
    }
  }

  // A 3-master, 3-replica Redis Cluster of the harness's own and two nodes of `variant` on it (its seed
  // nodes in REDIS_CLUSTER_NODES), all started together; `body(cluster, nodes)` runs on them, then all stop.
  async function withRedisClusterNodes(variant, body) {
    const cluster = await startRedisCluster({ cpu: serverCpu });
    const nodes = [];
    try {
      const node = (id) => () => start(variant, { REDIS_CLUSTER_NODES: cluster.seeds, NODE_ID: `bench-${id}` });
      nodes.push(...(await startTogether([node('a'), node('b')])));
      await quiet();
      return await body(cluster, nodes);
    } finally {
      for (const server of nodes) await server.stop();
      await cluster.stop();
    }
  }

  async function runOne(scenario, variant, round) {
    if (scenario === 'redis') {
      return withRedisNodes(variant, false, (redis, nodes) =>
        runFanout({ servers: nodes, others: [redis], variant, options, quiet, round }),
      );
    }
    if (scenario === 'rediscluster') {
      return withRedisClusterNodes(variant, (cluster, nodes) =>
        runFanout({ servers: nodes, others: cluster.servers, variant, options, quiet, round }),
      );
    }
    if (scenario === 'cluster') {
      return withRedisNodes(variant, true, (redis, [single, ...nodes]) =>
        runClusterPaired({ single, nodes, redis, variant, options, quiet, round }),
      );
    }
    if (scenario === 'rooms') {
      return withRedisNodes(variant, true, (redis, [single, ...nodes]) =>
        runRooms({ single, nodes, redis, variant, options, quiet, round }),
      );
    }
    if (scenario === 'paired' || scenario === 'events') {
      // The events scenario's bare Socket.IO also answers the app's other events (see bench/servers/socketio.mjs).
      const baseEnv = scenario === 'events' ? { BENCH_EVENTS: '1' } : {};
      const [base, other] = await startTogether([() => start(baselineVariant, baseEnv), () => start(variant)]);
      try {
        await quiet();
        const run = scenario === 'events' ? runEvents : runPaired;
        return await run({ base, other, baseVariant: baselineVariant, variant, options, quiet, round });
      } finally {
        await other.stop();
        await base.stop();
      }
    }
    // The memory scenario measures a server from rest: always a fresh one, with V8's defaults.
    const memory = scenario === 'memory';
    const { server, release } = await acquire(variant, { fresh: memory, load: !memory });
    try {
      await quiet();
      const context = { server, servers: [server], variant, options, quiet, round };
      if (scenario === 'echo') return await runEcho(context);
      if (scenario === 'handshake') return await runHandshake(context);
      if (scenario === 'fanout') return await runFanout(context);
      return await runMemory(context);
    } finally {
      await release(server);
    }
  }
}

/**
 * Runs `bench/scale.mjs` (its quick sizes with `quick`) as a process of its own, on every core, and
 * returns its targets and where it wrote its report, or the error that stopped it.
 */
function runScale(out, quick) {
  const argv = [process.execPath, join(here, 'scale.mjs'), ...(quick ? ['--quick'] : []), `--out=${out}`, '--no-build'];
  console.log(
    `\n[scale] ${quick ? 'quick sizes' : 'full sizes (about 10 minutes)'}: bench/scale.mjs, its report in bench/results/${out}.md`,
  );
  const path = join(here, 'results', `${out}.json`);
  // A report left by an earlier run must not pass for this one's.
  rmSync(path, { force: true });
  let failure;
  try {
    // The generator core's pinning is this process's; the scale run places its own servers and generators.
    execFileSync(argv[0], argv.slice(1), { stdio: 'inherit', env: process.env });
  } catch (error) {
    failure = error;
  }
  // The scale run exits 1 when it saw a problem (a false offline, a server that logged an error) after
  // writing its report: the missed targets are what this run's table must show, not leave out.
  if (!existsSync(path)) {
    const error = failure?.message ?? 'no report written';
    warn(`scale: ${error}`);
    return { report: `${out}.md`, error, targets: [] };
  }
  if (failure) warn(`scale: exited with status ${failure.status ?? failure.signal}; its report and targets are kept`);
  return { report: `${out}.md`, targets: scaleTargets(JSON.parse(readFileSync(path, 'utf8'))) };
}

/** Summary, targets, table, JSON, SVG and Markdown of one run's raw results. */
function render(result, resultsDir, name) {
  const { meta, options, variants, runs, noisy, smoke: smokeResults, scale } = result;
  const summary = summarize(runs, variants, options);
  const targets = [
    ...targetLines(checkTargets(summary, runs, options)),
    ...(scale?.targets ?? []).map((t) => ({
      ...t,
      name: `at scale: ${t.name}`,
      note: `bench/results/${scale.report}`,
      verdict: t.verdict === 'MISSED' ? 'NOT met' : t.verdict,
    })),
  ];
  const rows = tableRows(summary, variants);
  console.log(`\n${terminalTable(rows)}\n`);
  const rooms = runs.rooms ? roomsRows(runs, variants, options) : undefined;
  if (rooms) console.log(`${rooms.title}\n\n${terminalTable(rooms.cpu)}\n\n${terminalTable(rooms.latency)}\n`);
  console.log('Targets (this app against bare Socket.IO in the same run):');
  for (const t of targets)
    console.log(`  ${t.verdict.padEnd(12)} ${t.name}: ${t.valueText} (target ${t.target})${t.note ? ` [${t.note}]` : ''}`);
  if (noisy.length > 0) console.log(`\n${noisy.length} times the machine did not get quiet before a step (see "noisy" in the JSON).`);
  if (meta.repeatedMeasurements > 0) {
    console.log(
      `${meta.repeatedMeasurements} measurements were repeated because other processes (or the hypervisor, in a fixed-rate window) took CPU meanwhile; ${meta.noisyMeasurements} stayed noisy ("noisy": true in the JSON).`,
    );
  }
  console.log(`\nDone in ${meta.durationS} s.`);
  const { summary: _old, targets: _oldTargets, ...raw } = result;
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify({ ...raw, summary, targets }, null, 2)}\n`);
  writeFileSync(join(resultsDir, `${name}.svg`), svgChart(summary, runs, variants, meta));
  writeFileSync(
    join(resultsDir, `${name}.md`),
    markdownReport(meta, ratioRows(summary, variants), valueRows(summary, variants), targets, smokeResults, rooms),
  );
  if (rooms) writeFileSync(join(resultsDir, `${name}-rooms.svg`), roomsSvg(runs, variants, options, meta));
  console.log(`Wrote bench/results/${name}.json, ${name}.svg${rooms ? `, ${name}-rooms.svg` : ''} and ${name}.md`);
}

async function profileRun({ variants, options, quiet, start, resultsDir, meta }) {
  const dir = join(resultsDir, 'profiles');
  mkdirSync(dir, { recursive: true });
  const report = {};
  for (const variant of variants) {
    const server = await start(variant);
    const path = join(dir, `${variant.id}-echo.cpuprofile`);
    try {
      await quiet();
      const { closed } = await runEcho({ server, variant, options, quiet, profilePath: path });
      const summary = summarizeProfile(path, { events: closed.completed });
      report[variant.id] = { throughputWhileProfiled: closed.throughput, events: closed.completed, ...summary };
      console.log(`\n${variant.label}: ${closed.throughput} msg/s while profiled, ${summary.totalMs} ms sampled; profile in ${path}`);
      console.log('  self time by package:');
      for (const p of summary.packages.slice(0, 12)) console.log(`    ${String(p.share).padStart(5)} %  ${p.name}`);
      console.log('  top self-time functions:');
      for (const f of summary.functions)
        console.log(`    ${String(f.share).padStart(5)} %  ${f.usPerEvent.toFixed(2).padStart(6)} µs/msg  ${f.name}`);
      console.log('  inclusive time of the code on the request path (self + callees):');
      for (const f of summary.inclusive)
        console.log(`    ${String(f.share).padStart(5)} %  ${f.usPerEvent.toFixed(2).padStart(6)} µs/msg  ${f.name}`);
    } finally {
      await server.stop();
    }
  }
  writeFileSync(join(resultsDir, 'profile.json'), `${JSON.stringify({ meta, profiles: report }, null, 2)}\n`);
  console.log('\nWrote bench/results/profile.json');
}

/** The share of a window the hypervisor took from the server core and the generator core. */
function stolen(shares) {
  return shares ? `server core ${(shares[0] * 100).toFixed(1)} %, generator core ${(shares[1] * 100).toFixed(1)} %` : '—';
}

function headline(scenario, r) {
  if (r.error) return `error: ${r.error}`;
  const q = (x) => (x === undefined || x === null ? '—' : x);
  if (scenario === 'echo') {
    return `${q(r.closed?.throughput)} msg/s, ${q(r.closed?.cpuPerMsgUs)} µs CPU/msg; at ${r.fixed?.rate}/s p50 ${q(r.fixed?.latency?.p50)} ms p99 ${q(r.fixed?.latency?.p99)} ms (stolen by the hypervisor: ${stolen(r.fixed?.stolen)}; generator GC ${r.fixed?.generatorGc?.count} pauses, longest ${r.fixed?.generatorGc?.maxMs} ms)${r.closed?.failed || r.fixed?.failed ? `; ${r.closed.failed + r.fixed.failed} error replies` : ''} (gen ${Math.round((r.closed?.generatorLoad ?? 0) * 100)} %)`;
  }
  if (scenario === 'paired') {
    const side = (f) => `${f.throughput} msg/s, ${f.cpuPerMsgUs} µs CPU/msg`;
    const f = r.fixed;
    const fixed = f
      ? `; at ${f.self.rate}/s p99 ${q(f.self.latency.p99)} ms vs ${q(f.base.latency.p99)} ms: ${(f.self.latency.p99 / f.base.latency.p99).toFixed(2)}x`
      : '';
    return `${side(r.self)} | bare Socket.IO in the same slices ${side(r.base)}: ${(r.self.throughput / r.base.throughput).toFixed(2)}x, CPU ${(r.self.cpuPerMsgUs / r.base.cpuPerMsgUs).toFixed(2)}x (user space ${(r.self.userCpuPerMsgUs / r.base.userCpuPerMsgUs).toFixed(2)}x)${fixed}`;
  }
  if (scenario === 'events') {
    const x = (a, b) => (a > 0 && b > 0 ? `${(a / b).toFixed(2)}x` : '—');
    const pushes = ({ self, base }) =>
      self.pushes ? `, pushes ${self.pushes.delivered}/${self.pushes.expected} vs ${base.pushes.delivered}/${base.pushes.expected}` : '';
    const lines = EVENT_CASES.map((c) => {
      const e = r.events?.[c.id];
      if (!e) return `${c.label}: not measured`;
      const { closed, fixed } = e;
      return `${c.label}: ${closed.self.throughput} vs ${closed.base.throughput} msg/s ${x(closed.self.throughput, closed.base.throughput)}, CPU ${closed.self.cpuPerMsgUs} vs ${closed.base.cpuPerMsgUs} µs/msg ${x(closed.self.cpuPerMsgUs, closed.base.cpuPerMsgUs)}${pushes(closed)}; at ${fixed.self.rate}/s p99 ${q(fixed.self.latency.p99)} vs ${q(fixed.base.latency.p99)} ms ${x(fixed.self.latency.p99, fixed.base.latency.p99)}${pushes(fixed)}`;
    });
    return `app vs bare Socket.IO in the same slices (${r.clients} clients in pairs):\n      ${lines.join('\n      ')}`;
  }
  if (scenario === 'handshake') {
    return `${r.count} in ${Math.round((r.count / r.rate) * 1000)} ms (${r.rate}/s), ${r.cpuPerHandshakeUs} µs CPU each, p99 ${q(r.latency?.p99)} ms; ${r.accepted} accepted, ${r.refused} refused${r.wrong ? `, ${r.wrong} WRONG (${r.wrongSamples.join('; ')})` : ''}`;
  }
  if (scenario === 'fanout' || scenario === 'redis' || scenario === 'rediscluster') {
    const steps = r.steps.map(
      (s) =>
        `${s.offeredDeliveries / 1000}k: p99 ${s.latency.p99 ?? '—'} ms, ${s.cpuPerDeliveryUs} µs${s.saturated ? ' SATURATED' : ''}${s.generatorLoad > 0.9 ? ' (gen busy)' : ''}`,
    );
    return `${r.receivers} receivers on ${r.nodes} node(s); ${steps.join(' | ')}`;
  }
  if (scenario === 'rooms') {
    const sizes = [...new Set(r.cells.map((c) => c.size))];
    const side = (c) =>
      `${c.nodes} node${c.nodes > 1 ? 's' : ''} ${c.cpuPerDeliveryUs} µs${c.redisCpuPerDeliveryUs !== undefined ? ` + redis-server ${c.redisCpuPerDeliveryUs} µs` : ''}, p50 ${q(c.latency.p50)} p99 ${q(c.latency.p99)} ms, idle ${c.idleCpuMsPerS} ms/s${c.complete ? '' : `, ${c.missing} MISSING, ${c.sendFailures} failed sends`}`;
    const lines = sizes.map((size) => {
      const cells = r.cells.filter((c) => c.size === size).sort((a, b) => a.nodes - b.nodes);
      return `${size} members (${cells[0].messagesPerSecond} msg/s): ${cells.map(side).join(' | ')}`;
    });
    return `CPU per delivery at ${r.rate / 1000}k deliveries/s:\n      ${lines.join('\n      ')}`;
  }
  if (scenario === 'cluster') {
    const side = (s) =>
      `${s.cpuPerDeliveryUs} µs/delivery, p99 ${q(s.latency.p99)} ms${s.missing > 0 || !s.complete ? `, ${s.missing} missing` : ''}`;
    return `${r.offeredDeliveries / 1000}k deliveries/s to ${r.receivers} receivers, ${r.slices} slices of ${r.sliceMs} ms: one node ${side(r.one)} | two nodes ${side(r.two)}, redis-server ${r.two.redisCpuPerDeliveryUs} µs: ${q(r.ratio)}x`;
  }
  return r.levels
    .map(
      (l) =>
        `${l.connections}: ${(l.rssPerConnBytes / 1024).toFixed(1)} KiB RSS, ${(l.heapPerConnBytes / 1024).toFixed(1)} KiB heap per conn, ${l.connectionsPerGiB.toLocaleString('en-US')}/GiB`,
    )
    .join(' | ');
}

function machine(options, flags, custom, pin, variants) {
  const shown = argv.length > 0 ? ` -- ${argv.join(' ')}` : '';
  return {
    ...machineFacts(root),
    // A full run written under another name (`--out`) is still a full run.
    mode: flags.profile ? 'profile' : flags.quick ? 'quick' : custom ? 'partial' : 'full',
    command: `npm run bench${shown}`,
    pinning: pin ? { servers: 'core 0 (taskset -c 0)', generator: 'core 1 (taskset -c 1)' } : 'none',
    serverNodeArgs: Object.fromEntries(variants.filter((v) => v.loadNodeArgs).map((v) => [v.id, v.loadNodeArgs])),
    appSettings: { LOG_LEVEL: 'log', NODE_ENV: 'production', WS_RATE_LIMIT_PER_SEC: APP_RATE_LIMIT, WS_RATE_LIMIT_BURST: APP_RATE_LIMIT },
  };
}

function markdownReport(meta, ratios, values, targets, smokeResults, rooms) {
  const lines = [
    `Run of ${meta.date} (${meta.mode}), \`${meta.command}\`, ${meta.durationS} s.`,
    `Machine: ${meta.cpuModel}, ${meta.cores} cores, ${meta.memoryGiB} GiB, Node ${meta.node}, Linux ${meta.kernel}; commit ${meta.commit}${meta.srcModified ? ' with uncommitted changes in src/' : ''}.`,
    `Servers pinned: ${typeof meta.pinning === 'string' ? meta.pinning : `${meta.pinning.servers}, generator ${meta.pinning.generator}`}.`,
    `Node flags of the load scenarios' servers (V8's young generation at the size a server under load keeps; the app ships with it, the plain Nest gateway's boot takes it there): ${
      Object.entries(meta.serverNodeArgs ?? {})
        .map(([id, args]) => `${id} \`${args.join(' ')}\``)
        .join(', ') || 'none'
    }; the memory scenario's servers run with V8's defaults.`,
    `${meta.repeatedMeasurements ?? 0} measurements were repeated because other processes (or the hypervisor, in a fixed-rate window) took CPU meanwhile; ${meta.noisyMeasurements ?? 0} stayed noisy.`,
    '',
    '| target | figure | measured | verdict |',
    '|---|---|---:|---|',
    ...targets.map((t) => `| ${t.name}${t.note ? ` (${t.note})` : ''} | ${t.target} | ${t.valueText} | ${t.verdict} |`),
    '',
    "Ratios: each variant's median over rounds divided by bare Socket.IO's median from the same run (the ratios taken round by round are in the JSON as `pairedRatio`).",
    '',
    markdownTable(ratios),
    '',
    'Absolute figures, for orientation only (median over rounds):',
    '',
    markdownTable(values),
    '',
    ...(rooms ? [rooms.title, '', markdownTable(rooms.cpu), '', markdownTable(rooms.latency), ''] : []),
    `Smoke checks with a real client: ${Object.entries(smokeResults)
      .map(([id, s]) => `${id} ${s.ok ? 'ok' : `FAILED (${s.error})`}`)
      .join(', ')}.`,
    '',
  ];
  return lines.join('\n');
}

/** Every measurement record (an object with `foreignLoad`) in the runs. */
function walk(value, found = []) {
  if (Array.isArray(value)) for (const item of value) walk(item, found);
  else if (value && typeof value === 'object') {
    if ('foreignLoad' in value) found.push(value);
    for (const item of Object.values(value)) if (item && typeof item === 'object') walk(item, found);
  }
  return found;
}

function warn(message) {
  console.warn(`warning: ${message}`);
}

function fail(message) {
  throw new Error(message);
}

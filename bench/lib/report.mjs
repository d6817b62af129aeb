// Turns the per-round results into medians and ratios against bare Socket.IO
// from the same run, checks them against the issue's targets, and renders the
// terminal table, a Markdown version of it and the SVG chart (and the rooms
// scenario's own tables and chart).
import { pooled } from './hist.mjs';
import { EVENT_CASES } from './scenarios/events.mjs';
import { BASELINE } from './variants.mjs';

const FANOUT_POINT = 50_000;

/** The median of the finite numbers among `values`; null when there are none. */
export const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The fan-out step at `deliveries` offered deliveries/s, when it was run and not saturated. */
export function stepAt(result, deliveries = FANOUT_POINT) {
  const step = result?.steps?.find((s) => s.offeredDeliveries === deliveries);
  return step && !step.saturated ? step : undefined;
}

const level = (result, connections) => result?.levels?.find((l) => l.connections === connections);

/** RSS per connection added between the previous rung of the memory ladder and this one, in bytes. */
function marginalRss(result, connections) {
  const levels = result?.levels ?? [];
  const index = levels.findIndex((l) => l.connections === connections);
  if (index < 1) return undefined;
  const before = levels[index - 1];
  return (levels[index].rss - before.rss) / (connections - before.connections);
}

/** Every reported figure: where it comes from and which way is better. */
export function metricsFor(options) {
  const cluster = `fan-out at ${(options.clusterRate * options.receivers) / 1000}k/s, alternating 1 and 2 nodes`;
  const metrics = [
    {
      key: 'echo.throughput',
      scenario: 'echo',
      label: 'echo: throughput, closed loop',
      unit: 'msg/s',
      better: 'higher',
      get: (r) => r.closed?.throughput,
    },
    {
      key: 'echo.cpuPerMsg',
      scenario: 'echo',
      label: 'echo: server CPU per message, closed loop',
      unit: 'µs',
      better: 'lower',
      get: (r) => r.closed?.cpuPerMsgUs,
    },
    {
      key: 'echo.serverCore',
      scenario: 'echo',
      label: 'echo: server core busy, closed loop',
      unit: '%',
      better: 'none',
      ratio: false,
      get: (r) => pct(r.closed?.coreBusy?.[0]),
    },
    {
      key: 'echo.generatorCore',
      scenario: 'echo',
      label: 'echo: generator core busy, closed loop',
      unit: '%',
      better: 'none',
      ratio: false,
      get: (r) => pct(r.closed?.coreBusy?.[1]),
    },
    {
      key: 'echo.closedP99',
      scenario: 'echo',
      label: 'echo: p99, closed loop',
      unit: 'ms',
      better: 'lower',
      get: (r) => r.closed?.latency?.p99,
    },
    {
      key: 'echo.fixedP50',
      scenario: 'echo',
      label: `echo: p50 at ${options.fixedRate} msg/s`,
      unit: 'ms',
      better: 'lower',
      get: (r) => r.fixed?.latency?.p50,
    },
    {
      key: 'echo.fixedP99',
      scenario: 'echo',
      label: `echo: p99 at ${options.fixedRate} msg/s`,
      unit: 'ms',
      better: 'lower',
      get: (r) => r.fixed?.latency?.p99,
    },
    {
      key: 'echo.fixedP99pooled',
      scenario: 'echo',
      label: `echo: p99 at ${options.fixedRate} msg/s, all rounds pooled`,
      unit: 'ms',
      better: 'lower',
      pooled: (rounds) => {
        const encoded = rounds.map((r) => r?.fixed?.histogram).filter(Boolean);
        return encoded.length > 0 ? pooled(encoded).getValueAtPercentile(99) / 1000 : undefined;
      },
    },
    {
      key: 'echo.fixedP999',
      scenario: 'echo',
      label: `echo: p99.9 at ${options.fixedRate} msg/s`,
      unit: 'ms',
      better: 'lower',
      get: (r) => r.fixed?.latency?.p999,
    },
    {
      key: 'echo.fixedCpuPerMsg',
      scenario: 'echo',
      label: `echo: server CPU per message at ${options.fixedRate} msg/s`,
      unit: 'µs',
      better: 'lower',
      get: (r) => r.fixed?.cpuPerMsgUs,
    },
    // Paired: each round's figure of a variant is divided by bare Socket.IO's from the same slices.
    {
      key: 'paired.throughput',
      scenario: 'paired',
      label: 'echo, alternating with bare Socket.IO: throughput',
      unit: 'msg/s',
      better: 'higher',
      get: (r) => r.self?.throughput,
      base: (r) => r.base?.throughput,
    },
    {
      key: 'paired.cpuPerMsg',
      scenario: 'paired',
      label: 'echo, alternating with bare Socket.IO: server CPU per message',
      unit: 'µs',
      better: 'lower',
      get: (r) => r.self?.cpuPerMsgUs,
      base: (r) => r.base?.cpuPerMsgUs,
    },
    {
      key: 'paired.userCpuPerMsg',
      scenario: 'paired',
      label: 'echo, alternating with bare Socket.IO: of that, user space',
      unit: 'µs',
      better: 'lower',
      get: (r) => r.self?.userCpuPerMsgUs,
      base: (r) => r.base?.userCpuPerMsgUs,
    },
    {
      key: 'paired.fixedP99',
      scenario: 'paired',
      label: `echo at ${options.fixedRate} msg/s, alternating with bare Socket.IO: p99`,
      unit: 'ms',
      better: 'lower',
      get: (r) => r.fixed?.self?.latency?.p99,
      base: (r) => r.fixed?.base?.latency?.p99,
    },
    // The app's real events, each in alternating slices with bare Socket.IO doing the same visible work.
    ...EVENT_CASES.flatMap((c) => eventMetrics(c, options)),
    {
      key: 'handshake.cpu',
      scenario: 'handshake',
      label: `handshake: server CPU per handshake (${options.handshakes}, 10 % invalid)`,
      unit: 'µs',
      better: 'lower',
      get: (r) => r.cpuPerHandshakeUs,
    },
    { key: 'handshake.rate', scenario: 'handshake', label: 'handshake: handshakes/s', unit: '/s', better: 'higher', get: (r) => r.rate },
    { key: 'handshake.p99', scenario: 'handshake', label: 'handshake: p99', unit: 'ms', better: 'lower', get: (r) => r.latency?.p99 },
    {
      key: 'fanout.p99',
      scenario: 'fanout',
      label: `fan-out: p99 at ${FANOUT_POINT / 1000}k deliveries/s, 1 node`,
      unit: 'ms',
      better: 'lower',
      get: (r) => stepAt(r)?.latency.p99,
    },
    {
      key: 'fanout.cpu',
      scenario: 'fanout',
      label: `fan-out: server CPU per delivery at ${FANOUT_POINT / 1000}k/s, 1 node`,
      unit: 'µs',
      better: 'lower',
      get: (r) => stepAt(r)?.cpuPerDeliveryUs,
    },
    {
      key: 'fanout.max',
      scenario: 'fanout',
      label: 'fan-out: most deliveries/s sustained, 1 node',
      unit: '/s',
      better: 'higher',
      get: (r) => r.maxSustainedDeliveries,
    },
    {
      key: 'fanout.max20',
      scenario: 'fanout',
      label: 'fan-out: most deliveries/s with p99 <= 20 ms, 1 node',
      unit: '/s',
      better: 'higher',
      get: (r) => r.maxWithin20ms,
    },
    {
      key: 'redis.p99',
      scenario: 'redis',
      label: `fan-out: p99 at ${FANOUT_POINT / 1000}k deliveries/s, 2 nodes + Redis`,
      unit: 'ms',
      better: 'lower',
      get: (r) => stepAt(r)?.latency.p99,
    },
    {
      key: 'redis.cpu',
      scenario: 'redis',
      label: `fan-out: CPU of both nodes per delivery at ${FANOUT_POINT / 1000}k/s`,
      unit: 'µs',
      better: 'lower',
      get: (r) => stepAt(r)?.cpuPerDeliveryUs,
    },
    {
      key: 'redis.redisCpu',
      scenario: 'redis',
      label: `fan-out: redis-server CPU per delivery at ${FANOUT_POINT / 1000}k/s`,
      unit: 'µs',
      better: 'lower',
      get: (r) => stepAt(r)?.othersCpuPerDeliveryUs,
    },
    {
      key: 'redis.max',
      scenario: 'redis',
      label: 'fan-out: most deliveries/s sustained, 2 nodes + Redis',
      unit: '/s',
      better: 'higher',
      get: (r) => r.maxSustainedDeliveries,
    },
    {
      key: 'rediscluster.p99',
      scenario: 'rediscluster',
      label: `fan-out: p99 at ${FANOUT_POINT / 1000}k deliveries/s, 2 nodes + 3-master Redis Cluster`,
      unit: 'ms',
      better: 'lower',
      get: (r) => stepAt(r)?.latency.p99,
    },
    {
      key: 'rediscluster.cpu',
      scenario: 'rediscluster',
      label: `fan-out: CPU of both nodes per delivery at ${FANOUT_POINT / 1000}k/s, 2 nodes + 3-master Redis Cluster`,
      unit: 'µs',
      better: 'lower',
      get: (r) => stepAt(r)?.cpuPerDeliveryUs,
    },
    {
      key: 'rediscluster.redisCpu',
      scenario: 'rediscluster',
      label: `fan-out: CPU of all 6 redis-servers per delivery at ${FANOUT_POINT / 1000}k/s, 2 nodes + 3-master Redis Cluster`,
      unit: 'µs',
      better: 'lower',
      get: (r) => stepAt(r)?.othersCpuPerDeliveryUs,
    },
    {
      key: 'rediscluster.max',
      scenario: 'rediscluster',
      label: 'fan-out: most deliveries/s sustained, 2 nodes + 3-master Redis Cluster',
      unit: '/s',
      better: 'higher',
      get: (r) => r.maxSustainedDeliveries,
    },
    // One node and two nodes in alternating slices: each round's ratio is of figures taken at the same moments.
    {
      key: 'cluster.one',
      scenario: 'cluster',
      label: `${cluster}: CPU per delivery, 1 node`,
      unit: 'µs',
      better: 'lower',
      get: (r) => complete(r.one)?.cpuPerDeliveryUs,
    },
    {
      key: 'cluster.two',
      scenario: 'cluster',
      label: `${cluster}: CPU per delivery, 2 nodes`,
      unit: 'µs',
      better: 'lower',
      get: (r) => complete(r.two)?.cpuPerDeliveryUs,
    },
    {
      key: 'cluster.ratio',
      scenario: 'cluster',
      label: `${cluster}: 2 nodes / 1 node`,
      unit: 'x',
      better: 'lower',
      get: (r) => (complete(r.one) && complete(r.two) ? r.ratio : undefined),
    },
    ...roomMetrics(options),
  ];
  for (const n of options.memoryConnections) {
    metrics.push(
      {
        key: `memory.rss.${n}`,
        scenario: 'memory',
        label: `memory: RSS per idle connection at ${n}`,
        unit: 'KiB',
        better: 'lower',
        get: (r) => kib(level(r, n)?.rssPerConnBytes),
      },
      {
        key: `memory.heap.${n}`,
        scenario: 'memory',
        label: `memory: JS heap per idle connection at ${n}`,
        unit: 'KiB',
        better: 'lower',
        get: (r) => kib(level(r, n)?.heapPerConnBytes),
      },
      {
        key: `memory.perGiB.${n}`,
        scenario: 'memory',
        label: `memory: idle connections per GiB (RSS) at ${n}`,
        unit: '',
        better: 'higher',
        get: (r) => level(r, n)?.connectionsPerGiB,
      },
    );
  }
  // The slope between two rungs leaves out the slack a server's heap had before the first connection.
  options.memoryConnections.slice(1).forEach((n, i) => {
    const from = options.memoryConnections[i];
    metrics.push({
      key: `memory.marginal.${n}`,
      scenario: 'memory',
      label: `memory: RSS per connection added from ${from} to ${n}`,
      unit: 'KiB',
      better: 'lower',
      get: (r) => kib(marginalRss(r, n)),
    });
  });
  return metrics;
}

/** The figures of one event of the events scenario: each round's figure of the app beside bare Socket.IO's from the same slices. */
function eventMetrics(c, options) {
  const of = (phase, side, pick) => (r) => {
    const figures = r.events?.[c.id]?.[phase]?.[side];
    return figures ? pick(figures) : undefined;
  };
  const metric = (key, label, unit, better, phase, pick) => ({
    key: `events.${c.id}.${key}`,
    scenario: 'events',
    label: `${c.label}: ${label}`,
    unit,
    better,
    get: of(phase, 'self', pick),
    base: of(phase, 'base', pick),
  });
  const share = (f) => (f.pushes?.expected > 0 ? Math.round((f.pushes.delivered / f.pushes.expected) * 1000) / 10 : undefined);
  return [
    metric('throughput', 'throughput, closed loop', 'msg/s', 'higher', 'closed', (f) => f.throughput),
    metric('cpuPerMsg', 'server CPU per message, closed loop', 'µs', 'lower', 'closed', (f) => f.cpuPerMsgUs),
    metric('fixedP99', `p99 at ${options.fixedRate} msg/s`, 'ms', 'lower', 'fixed', (f) => f.latency?.p99),
    metric('fixedCpuPerMsg', `server CPU per message at ${options.fixedRate} msg/s`, 'µs', 'lower', 'fixed', (f) => f.cpuPerMsgUs),
    ...(c.push ? [metric('delivered', `${c.push} pushes delivered, closed loop`, '%', 'higher', 'closed', share)] : []),
  ];
}

/** The rooms scenario's cell of `size` members on `nodes` node(s) in one round's result. */
const roomCell = (result, nodes, size) => result?.cells?.find((c) => c.nodes === nodes && c.size === size);

/** The largest room size, and the one its cost is compared with (100 members, or the smallest size; none with one size). */
function roomEnds(sizes) {
  const big = Math.max(...sizes);
  const ref = sizes.includes(100) && big > 100 ? 100 : Math.min(...sizes);
  return { big, ref: ref < big ? ref : undefined };
}

const members = (n) => n.toLocaleString('en-US');
const where = (nodes) => (nodes === 1 ? '1 node' : '2 nodes + Redis');

/** The rooms scenario: CPU per delivery at each size on 1 and 2 nodes, how it grows, redis-server's part, the p99 of the largest room. */
function roomMetrics(options) {
  const sizes = options.roomSizes ?? [];
  if (sizes.length === 0) return [];
  const { big, ref } = roomEnds(sizes);
  const at = `rooms at ${options.roomRate / 1000}k deliveries/s`;
  const cpu = (r, nodes, size) => roomCell(r, nodes, size)?.cpuPerDeliveryUs;
  const metrics = [];
  for (const nodes of [1, 2]) {
    for (const size of sizes) {
      metrics.push({
        key: `rooms.cpu.${nodes}.${size}`,
        scenario: 'rooms',
        label: `${at}, ${where(nodes)}: server CPU per delivery, ${members(size)} members`,
        unit: 'µs',
        better: 'lower',
        get: (r) => cpu(r, nodes, size),
      });
    }
    if (ref)
      metrics.push({
        key: `rooms.growth.${nodes}`,
        scenario: 'rooms',
        label: `${at}, ${where(nodes)}: CPU per delivery, ${members(big)} members / ${members(ref)}`,
        unit: 'x',
        better: 'lower',
        // Within the round: the two cells are a minute apart, not a round apart.
        get: (r) => (cpu(r, nodes, ref) > 0 && cpu(r, nodes, big) > 0 ? cpu(r, nodes, big) / cpu(r, nodes, ref) : undefined),
      });
  }
  for (const size of sizes) {
    metrics.push({
      key: `rooms.redisCpu.${size}`,
      scenario: 'rooms',
      label: `${at}, 2 nodes + Redis: redis-server CPU per delivery, ${members(size)} members`,
      unit: 'µs',
      better: 'lower',
      get: (r) => roomCell(r, 2, size)?.redisCpuPerDeliveryUs,
    });
  }
  for (const nodes of [1, 2]) {
    metrics.push(
      {
        key: `rooms.p99.${nodes}`,
        scenario: 'rooms',
        label: `${at}, ${where(nodes)}: p99 of a delivery, ${members(big)} members`,
        unit: 'ms',
        better: 'lower',
        get: (r) => roomCell(r, nodes, big)?.latency?.p99,
      },
      {
        key: `rooms.lost.${nodes}`,
        scenario: 'rooms',
        label: `${at}, ${where(nodes)}: deliveries missing and sends failed, every size`,
        unit: '',
        better: 'lower',
        ratio: false,
        get: (r) => {
          const cells = r.cells?.filter((c) => c.nodes === nodes) ?? [];
          return cells.length > 0 ? cells.reduce((n, c) => n + c.missing + c.sendFailures, 0) : undefined;
        },
      },
    );
  }
  return metrics;
}

/** A side of the paired fan-out that delivered everything, without failed sends. */
const complete = (side) => (side && side.complete && side.missing === 0 && side.sendFailures === 0 ? side : undefined);

const pct = (share) => (typeof share === 'number' ? Math.round(share * 1000) / 10 : undefined);
const kib = (bytes) => (typeof bytes === 'number' ? Math.round((bytes / 1024) * 100) / 100 : undefined);

/**
 * For each metric and variant: the median over rounds, its ratio to bare
 * Socket.IO's median from the same run, and (in `pairedRatio`) the median of
 * the ratios taken round by round, which cancels drift between rounds.
 */
export function summarize(runs, variants, options) {
  const summary = {};
  for (const metric of metricsFor(options)) {
    const perVariant = {};
    const rounds = runs[metric.scenario] ?? {};
    const ok = (id) => (rounds[id] ?? []).filter((r) => r && !r.error);
    if (metric.pooled) {
      // One figure from every round's histogram at once: no per-round values, no paired ratio.
      const baseValue = metric.pooled(ok(BASELINE));
      for (const variant of variants) {
        if (ok(variant.id).length === 0) continue;
        const value = metric.pooled(ok(variant.id));
        perVariant[variant.id] = {
          median: round(value),
          ratio: value !== undefined && baseValue > 0 ? round(value / baseValue, 3) : null,
          pairedRatio: null,
          values: [],
        };
      }
      if (Object.keys(perVariant).length > 0)
        summary[metric.key] = { label: metric.label, unit: metric.unit, better: metric.better, variants: perVariant };
      continue;
    }
    if (metric.base) {
      // Bare Socket.IO ran in every pair: its figures are those of all pairs, its ratio 1 by definition.
      for (const variant of variants) {
        if (variant.id === BASELINE) {
          const values = variants.flatMap((v) => ok(v.id).map((r) => metric.base(r)));
          if (values.length > 0) perVariant[BASELINE] = { median: round(median(values)), ratio: 1, pairedRatio: 1, values };
          continue;
        }
        const values = (rounds[variant.id] ?? []).map((r) => (r && !r.error ? metric.get(r) : undefined));
        if (values.length === 0) continue;
        const ratios = ok(variant.id).map((r) => (metric.base(r) > 0 ? metric.get(r) / metric.base(r) : undefined));
        const ratio = round(median(ratios), 3);
        perVariant[variant.id] = { median: round(median(values)), ratio, pairedRatio: ratio, values };
      }
      if (Object.keys(perVariant).length > 0)
        summary[metric.key] = { label: metric.label, unit: metric.unit, better: metric.better, variants: perVariant };
      continue;
    }
    const base = (rounds[BASELINE] ?? []).map((r) => (r && !r.error ? metric.get(r) : undefined));
    for (const variant of variants) {
      const values = (rounds[variant.id] ?? []).map((r) => (r && !r.error ? metric.get(r) : undefined));
      if (values.length === 0) continue;
      const ratios = values.map((v, i) => (typeof v === 'number' && typeof base[i] === 'number' && base[i] > 0 ? v / base[i] : undefined));
      const mid = median(values);
      const baseMid = median(base);
      const ratio = metric.ratio === false || mid === null || !(baseMid > 0) ? null : round(mid / baseMid, 3);
      perVariant[variant.id] = { median: round(mid), ratio, pairedRatio: metric.ratio === false ? null : round(median(ratios), 3), values };
    }
    if (Object.keys(perVariant).length > 0)
      summary[metric.key] = { label: metric.label, unit: metric.unit, better: metric.better, variants: perVariant };
  }
  return summary;
}

const round = (value, digits = 2) => (value === null || value === undefined ? null : Math.round(value * 10 ** digits) / 10 ** digits);

/** The issue's targets for this app, each with the figure it is judged on. */
export function checkTargets(summary, runs, options) {
  const app = (key) => summary[key]?.variants.app;
  const targets = [];
  const add = (name, target, value, met, note) =>
    targets.push({ name, target, value, met: value === null || value === undefined ? null : met, note });
  const ratio = (key) => app(key)?.ratio;
  add('echo throughput vs bare Socket.IO', '>= 0.9x', ratio('echo.throughput'), ratio('echo.throughput') >= 0.9);
  add('echo server CPU per message vs bare Socket.IO', '<= 1.15x', ratio('echo.cpuPerMsg'), ratio('echo.cpuPerMsg') <= 1.15);
  const pairs = 'median of the pairs; both servers driven in alternating 250 ms slices';
  add(
    'echo throughput vs bare Socket.IO, alternating slices',
    '>= 0.9x',
    ratio('paired.throughput'),
    ratio('paired.throughput') >= 0.9,
    pairs,
  );
  add(
    'echo server CPU per message vs bare Socket.IO, alternating slices',
    '<= 1.15x',
    ratio('paired.cpuPerMsg'),
    ratio('paired.cpuPerMsg') <= 1.15,
    pairs,
  );
  const pooledP99 = ratio('echo.fixedP99pooled');
  const roundPaired = app('echo.fixedP99')?.pairedRatio;
  add(
    `p99 at a fixed ${options.fixedRate} msg/s vs bare Socket.IO`,
    '<= 1.3x',
    ratio('echo.fixedP99'),
    ratio('echo.fixedP99') <= 1.3,
    `median of the rounds' p99${typeof pooledP99 === 'number' ? `; all rounds pooled ${pooledP99.toFixed(2)}x` : ''}${typeof roundPaired === 'number' ? `; round-paired ${roundPaired.toFixed(2)}x` : ''}`,
  );
  // Every pair's histograms at once, bare Socket.IO's from the same pairs.
  const pairRounds = (runs.paired?.app ?? []).filter((r) => r?.fixed?.self?.histogram && r.fixed.base?.histogram);
  const pooledPairs =
    pairRounds.length > 0
      ? pooled(pairRounds.map((r) => r.fixed.self.histogram)).getValueAtPercentile(99) /
        pooled(pairRounds.map((r) => r.fixed.base.histogram)).getValueAtPercentile(99)
      : undefined;
  add(
    `p99 at a fixed ${options.fixedRate} msg/s vs bare Socket.IO, alternating slices`,
    '<= 1.3x',
    ratio('paired.fixedP99'),
    ratio('paired.fixedP99') <= 1.3,
    `median of the pairs; both servers driven in alternating 500 ms slices${typeof pooledPairs === 'number' ? `; all pairs pooled ${pooledPairs.toFixed(2)}x` : ''}`,
  );
  for (const c of EVENT_CASES) {
    const key = (figure) => `events.${c.id}.${figure}`;
    const pairs = 'median of the pairs; both servers driven in alternating 250 ms slices';
    add(`${c.label}: throughput vs bare Socket.IO`, '>= 0.95x', ratio(key('throughput')), ratio(key('throughput')) >= 0.95, pairs);
    add(`${c.label}: server CPU per message vs bare Socket.IO`, '<= 1.1x', ratio(key('cpuPerMsg')), ratio(key('cpuPerMsg')) <= 1.1, pairs);
    const rounds = (runs.events?.app ?? []).map((r) => r?.events?.[c.id]?.fixed).filter((f) => f?.self?.histogram && f.base?.histogram);
    const pooledEvent =
      rounds.length > 0
        ? pooled(rounds.map((f) => f.self.histogram)).getValueAtPercentile(99) /
          pooled(rounds.map((f) => f.base.histogram)).getValueAtPercentile(99)
        : undefined;
    add(
      `${c.label}: p99 at a fixed ${options.fixedRate} msg/s vs bare Socket.IO`,
      '<= 1.3x',
      ratio(key('fixedP99')),
      ratio(key('fixedP99')) <= 1.3,
      `median of the pairs; alternating 500 ms slices${typeof pooledEvent === 'number' ? `; all pairs pooled ${pooledEvent.toFixed(2)}x` : ''}`,
    );
  }
  const fanP99 = app('fanout.p99')?.median;
  // An absolute figure: what the generator's core and the machine allow shows in the floor's and the baseline's.
  const others = [
    ['the bare ws floor', summary['fanout.p99']?.variants.ws?.median],
    ['bare Socket.IO', summary['fanout.p99']?.variants[BASELINE]?.median],
  ].filter(([, value]) => typeof value === 'number');
  add(
    `fan-out p99 at ${FANOUT_POINT / 1000}k deliveries/s, one node`,
    '<= 20 ms',
    fanP99,
    fanP99 <= 20,
    others.map(([who, value]) => `${who} ${value} ms`).join(', ') || undefined,
  );
  const two = app('redis.cpu')?.median;
  const one = app('fanout.cpu')?.median;
  const cluster = typeof two === 'number' && one > 0 ? round(two / one, 3) : null;
  // The two scenarios alternate round by round: the ratio within each round as well.
  const ones = app('fanout.cpu')?.values ?? [];
  const perRound = (app('redis.cpu')?.values ?? []).map((v, i) => (typeof v === 'number' && ones[i] > 0 ? v / ones[i] : undefined));
  const clusterPaired = round(median(perRound), 3);
  add(
    'two nodes through Redis: CPU per delivery vs one node',
    '<= 1.2x',
    cluster,
    cluster <= 1.2,
    `both nodes, redis-server not included${typeof clusterPaired === 'number' ? `; round-paired ${clusterPaired.toFixed(2)}x` : ''}`,
  );
  const overCluster = app('rediscluster.cpu')?.median;
  const overOne = app('redis.cpu')?.median;
  const clusterVsOne = typeof overCluster === 'number' && overOne > 0 ? round(overCluster / overOne, 3) : null;
  // The two scenarios alternate round by round as well.
  const singles = app('redis.cpu')?.values ?? [];
  const perRoundCluster = (app('rediscluster.cpu')?.values ?? []).map((v, i) =>
    typeof v === 'number' && singles[i] > 0 ? v / singles[i] : undefined,
  );
  const clusterVsOnePaired = round(median(perRoundCluster), 3);
  add(
    'two nodes over a 3-master Redis Cluster: CPU per delivery vs one Redis',
    '<= 1.2x',
    clusterVsOne,
    clusterVsOne <= 1.2,
    `both nodes, redis-servers not included${typeof clusterVsOnePaired === 'number' ? `; round-paired ${clusterVsOnePaired.toFixed(2)}x` : ''}`,
  );
  const clusterRatio = app('cluster.ratio');
  const baseClusterRatio = summary['cluster.ratio']?.variants[BASELINE]?.median;
  add(
    'two nodes through Redis: CPU per delivery vs one node, alternating slices',
    '<= 1.2x',
    clusterRatio?.median,
    clusterRatio?.median <= 1.2,
    `median of the rounds; one node and two nodes driven in alternating 1 s slices${typeof baseClusterRatio === 'number' ? `; bare Socket.IO ${baseClusterRatio.toFixed(2)}x` : ''}`,
  );
  if (options.roomSizes?.length > 0) {
    const { big, ref } = roomEnds(options.roomSizes);
    for (const nodes of [1, 2]) {
      const place = nodes === 1 ? 'one node' : 'two nodes through Redis';
      // A cell that lost deliveries or sends meets no target, whatever its CPU.
      const lost = Math.max(0, ...(app(`rooms.lost.${nodes}`)?.values ?? []).filter((n) => typeof n === 'number'));
      const arrived = lost > 0 ? `${lost} deliveries missing or sends failed` : 'every delivery arrived';
      const growth = app(`rooms.growth.${nodes}`)?.median;
      const baseGrowth = summary[`rooms.growth.${nodes}`]?.variants[BASELINE]?.median;
      if (ref)
        add(
          `rooms, ${place}: CPU per delivery at ${members(big)} members vs at ${members(ref)}`,
          '<= 1.2x',
          growth,
          growth <= 1.2 && lost === 0,
          `both at ${options.roomRate / 1000}k deliveries/s; median of the rounds' ratios${typeof baseGrowth === 'number' ? `; bare Socket.IO ${baseGrowth.toFixed(2)}x` : ''}; ${arrived}`,
        );
      const cpu = summary[`rooms.cpu.${nodes}.${big}`]?.variants;
      const paired = cpu?.app?.pairedRatio;
      add(
        `rooms, ${place}: CPU per delivery at ${members(big)} members vs bare Socket.IO`,
        '<= 1.1x',
        cpu?.app?.ratio,
        cpu?.app?.ratio <= 1.1 && lost === 0,
        `${cpu?.app?.median ?? '—'} µs vs ${cpu?.[BASELINE]?.median ?? '—'} µs${typeof paired === 'number' ? `; round-paired ${paired.toFixed(2)}x` : ''}; ${arrived}`,
      );
    }
  }
  const memN = Math.max(...options.memoryConnections);
  const heap = ratio(`memory.heap.${memN}`);
  const marginal = ratio(`memory.marginal.${memN}`);
  const also = [
    heap !== undefined && `JS heap ${heap?.toFixed(2)}x`,
    marginal !== undefined &&
      marginal !== null &&
      `RSS of the last ${memN - options.memoryConnections.at(-2)} added ${marginal.toFixed(2)}x`,
  ]
    .filter(Boolean)
    .join(', ');
  add(
    `memory per idle authenticated connection vs bare Socket.IO (at ${memN})`,
    '<= 1.1x',
    ratio(`memory.rss.${memN}`),
    ratio(`memory.rss.${memN}`) <= 1.1,
    `RSS from an idle server${also ? `; ${also}` : ''}`,
  );
  const perGiB = app(`memory.perGiB.${memN}`)?.median;
  add(`idle authenticated connections per GiB (at ${memN})`, '>= 55000', perGiB, perGiB >= 55000, 'RSS');
  add('server CPU per JWT handshake vs bare Socket.IO', '<= 1.2x', ratio('handshake.cpu'), ratio('handshake.cpu') <= 1.2);
  return targets;
}

const fmt = (value, unit) => {
  if (value === null || value === undefined) return '—';
  if (unit === 'msg/s' || unit === '/s' || unit === '') return Math.round(value).toLocaleString('en-US');
  return String(value);
};

/** Rows of [label, ...cells]: each cell "median (ratio)". */
export function tableRows(summary, variants) {
  const head = ['figure', ...variants.map((v) => v.label)];
  const rows = Object.values(summary).map((m) => [
    `${m.label}${m.unit ? ` (${m.unit})` : ''}`,
    ...variants.map((v) => {
      const cell = m.variants[v.id];
      if (!cell) return '';
      const ratioText = cell.ratio === null ? '' : ` (${cell.ratio.toFixed(2)}x)`;
      return `${fmt(cell.median, m.unit)}${ratioText}`;
    }),
  ]);
  return [head, ...rows];
}

/** Rows of [label, ...ratios] for the figures that have one: what the issue's targets are stated in. */
export function ratioRows(summary, variants) {
  const head = ['figure (ratio to bare Socket.IO, same run)', ...variants.map((v) => v.label)];
  const rows = Object.values(summary)
    .filter((m) => Object.values(m.variants).some((cell) => cell.ratio !== null))
    .map((m) => [
      m.label,
      ...variants.map((v) => (typeof m.variants[v.id]?.ratio === 'number' ? `${m.variants[v.id].ratio.toFixed(2)}x` : '')),
    ]);
  return [head, ...rows];
}

/** Rows of [label, ...medians] with units: absolute figures, for orientation. */
export function valueRows(summary, variants) {
  const head = ['figure (median over rounds)', ...variants.map((v) => v.label)];
  const rows = Object.values(summary).map((m) => [
    `${m.label}${m.unit ? ` (${m.unit})` : ''}`,
    ...variants.map((v) => fmt(m.variants[v.id]?.median, m.unit)),
  ]);
  return [head, ...rows.map((r) => r.map((cell) => (cell === '—' ? '' : cell)))];
}

export function terminalTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function markdownTable(rows) {
  const escape = (cell) => String(cell).replace(/\|/g, '\\|');
  return [
    `| ${rows[0].map(escape).join(' | ')} |`,
    `|${rows[0].map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.slice(1).map((r) => `| ${r.map(escape).join(' | ')} |`),
  ].join('\n');
}

export function targetLines(targets) {
  return targets.map((t) => {
    const verdict = t.met === null ? 'not measured' : t.met ? 'met' : 'NOT met';
    const value =
      t.value === null || t.value === undefined
        ? '—'
        : typeof t.value === 'number' && t.target.endsWith('x')
          ? `${t.value.toFixed(2)}x`
          : t.value;
    return { ...t, verdict, valueText: String(value) };
  });
}

/**
 * The rooms scenario's own tables, medians over rounds: CPU per delivery at
 * each size (app / bare Socket.IO beside it, and the growth from the
 * reference size to the largest in the last row), and the latency of the
 * deliveries with what went missing.
 */
export function roomsRows(runs, variants, options) {
  const sizes = options.roomSizes;
  const { big, ref } = roomEnds(sizes);
  const ids = [BASELINE, 'app'];
  const rounds = (id) => (runs.rooms?.[id] ?? []).filter((r) => r && !r.error);
  const mid = (id, nodes, size, pick) =>
    median(
      rounds(id).map((r) => {
        const cell = roomCell(r, nodes, size);
        return cell ? pick(cell) : undefined;
      }),
    );
  const num = (value) => (value === null || value === undefined ? '—' : String(round(value, 2)));
  const x = (a, b) => (a > 0 && b > 0 ? `${(a / b).toFixed(2)}x` : '—');
  const cpu = (c) => c.cpuPerDeliveryUs;
  const cpuHead = ['room size', 'messages/s'];
  for (const nodes of [1, 2]) cpuHead.push(...ids.map((id) => `${short(id)}, ${where(nodes)} (µs)`), 'app / bare');
  cpuHead.push('redis-server, bare / app (µs)');
  const cpuRows = sizes.map((size) => {
    const row = [members(size), round(options.roomRate / size, 2).toLocaleString('en-US')];
    for (const nodes of [1, 2]) {
      const [base, app] = ids.map((id) => mid(id, nodes, size, cpu));
      row.push(num(base), num(app), x(app, base));
    }
    row.push(ids.map((id) => num(mid(id, 2, size, (c) => c.redisCpuPerDeliveryUs))).join(' / '));
    return row;
  });
  const growthRow = [`${members(big)} / ${members(ref ?? big)}`, ''];
  for (const nodes of [1, 2]) {
    const growth = ids.map((id) =>
      median(
        rounds(id).map((r) => {
          const [b, s] = [roomCell(r, nodes, big), roomCell(r, nodes, ref)];
          return b && s?.cpuPerDeliveryUs > 0 ? b.cpuPerDeliveryUs / s.cpuPerDeliveryUs : undefined;
        }),
      ),
    );
    growthRow.push(...growth.map((g) => (typeof g === 'number' ? `${g.toFixed(2)}x` : '—')), '');
  }
  growthRow.push('');
  const latencyHead = ['room size'];
  for (const nodes of [1, 2]) latencyHead.push(...ids.map((id) => `${short(id)}, ${where(nodes)}: p50 / p99 (ms)`), 'p99 app / bare');
  latencyHead.push('missing or failed, bare / app');
  const latencyRows = sizes.map((size) => {
    const row = [members(size)];
    for (const nodes of [1, 2]) {
      const p = ids.map((id) => [mid(id, nodes, size, (c) => c.latency.p50), mid(id, nodes, size, (c) => c.latency.p99)]);
      row.push(...p.map(([p50, p99]) => `${num(p50)} / ${num(p99)}`), x(p[1][1], p[0][1]));
    }
    const lost = (id) =>
      rounds(id).reduce(
        (n, r) => n + (r.cells?.filter((c) => c.size === size).reduce((m, c) => m + c.missing + c.sendFailures, 0) ?? 0),
        0,
      );
    row.push(ids.map((id) => (rounds(id).length > 0 ? lost(id) : '—')).join(' / '));
    return row;
  });
  const count = Math.max(0, ...ids.map((id) => rounds(id).length));
  const title =
    `Rooms: server CPU per delivery at a fixed ${members(options.roomRate)} deliveries/s for every size (messages/s = ${members(options.roomRate)} / size), ` +
    `median of ${count} round${count === 1 ? '' : 's'}; 2 nodes: both nodes' CPU, redis-server's apart. Latency of every delivery from when its message was due.`;
  return { title, cpu: [cpuHead, ...cpuRows, ...(ref ? [growthRow] : [])], latency: [latencyHead, ...latencyRows] };
}

const short = (id) => (id === BASELINE ? 'bare Socket.IO' : id);

const COLORS = { ws: '#9e9e9e', socketio: '#1f77b4', nest: '#ff7f0e', app: '#2ca02c' };

/**
 * The rooms chart: server CPU per delivery (µs, from 0) against the room size
 * (log scale), one line per variant and node count: solid with dots for one
 * node, dashed with squares for two nodes through Redis.
 */
export function roomsSvg(runs, variants, options, meta) {
  const sizes = options.roomSizes;
  const width = 880;
  const height = 470;
  const plot = { x: 80, y: 80, w: 480, h: 300 };
  const parts = [];
  const text = (x, y, s, attrs = '') => `<text x="${x}" y="${y}" ${attrs}>${escapeXml(s)}</text>`;
  const label = (id) => variants.find((v) => v.id === id)?.label ?? id;
  const series = [];
  for (const id of [BASELINE, 'app']) {
    const rounds = (runs.rooms?.[id] ?? []).filter((r) => r && !r.error);
    for (const nodes of [1, 2]) {
      const points = sizes
        .map((size) => [size, median(rounds.map((r) => roomCell(r, nodes, size)?.cpuPerDeliveryUs))])
        .filter(([, y]) => typeof y === 'number');
      if (points.length > 0) series.push({ id, nodes, points, name: `${label(id)}, ${where(nodes)}` });
    }
  }
  const xMin = 10 ** Math.floor(Math.log10(Math.min(...sizes)));
  const xMax = 10 ** Math.ceil(Math.log10(Math.max(...sizes)));
  const sx = (v) => plot.x + ((Math.log10(v) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * plot.w;
  const top = Math.max(1, ...series.flatMap((s) => s.points.map(([, y]) => y))) * 1.15;
  const step = niceStep(top / 5);
  const yMax = Math.ceil(top / step) * step;
  const sy = (v) => plot.y + plot.h - (v / yMax) * plot.h;
  const bottom = plot.y + plot.h;

  parts.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  parts.push(
    text(
      20,
      28,
      `Cost as a room grows: server CPU per delivery at ${members(options.roomRate)} deliveries/s`,
      'font-size="16" font-weight="bold"',
    ),
  );
  parts.push(
    text(
      20,
      48,
      `${meta.mode} run, ${meta.date}; servers and redis-server pinned to 1 core, ${meta.cpuModel}, Node ${meta.node}; median over rounds`,
      'font-size="11" fill="#555"',
    ),
  );
  for (let v = 0; v <= yMax + step / 2; v += step) {
    parts.push(`<line x1="${plot.x}" y1="${sy(v)}" x2="${plot.x + plot.w}" y2="${sy(v)}" stroke="#eee"/>`);
    parts.push(text(plot.x - 6, sy(v) + 4, String(round(v, 2)), 'font-size="11" text-anchor="end"'));
  }
  for (let v = xMin; v <= xMax; v *= 10) {
    parts.push(`<line x1="${sx(v)}" y1="${plot.y}" x2="${sx(v)}" y2="${bottom}" stroke="#eee"/>`);
    parts.push(text(sx(v), bottom + 16, members(v), 'font-size="11" text-anchor="middle"'));
  }
  for (const size of sizes.filter((n) => !Number.isInteger(Math.log10(n))))
    parts.push(text(sx(size), bottom + 16, members(size), 'font-size="11" text-anchor="middle" fill="#555"'));
  parts.push(
    `<line x1="${plot.x}" y1="${bottom}" x2="${plot.x + plot.w}" y2="${bottom}" stroke="#333"/><line x1="${plot.x}" y1="${plot.y}" x2="${plot.x}" y2="${bottom}" stroke="#333"/>`,
  );
  parts.push(text(plot.x + plot.w / 2, bottom + 38, 'room size (members, log scale)', 'font-size="12" text-anchor="middle"'));
  parts.push(
    text(
      20,
      plot.y + plot.h / 2,
      'server CPU per delivery (µs)',
      `font-size="12" text-anchor="middle" transform="rotate(-90 20 ${plot.y + plot.h / 2})"`,
    ),
  );
  const marker = (nodes, x, y, color) =>
    nodes === 1
      ? `<circle cx="${x}" cy="${y}" r="4" fill="${color}"/>`
      : `<rect x="${x - 4}" y="${y - 4}" width="8" height="8" fill="${color}"/>`;
  series.forEach(({ id, nodes, points, name }, i) => {
    const color = COLORS[id] ?? '#777';
    const dash = nodes === 2 ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.map(([x, y]) => `${sx(x)},${sy(y)}`).join(' ')}"/>`,
    );
    for (const [x, y] of points) parts.push(marker(nodes, sx(x), sy(y), color));
    const ly = plot.y + 10 + i * 22;
    const lx = plot.x + plot.w + 24;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 30}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`);
    parts.push(marker(nodes, lx + 15, ly, color));
    parts.push(text(lx + 38, ly + 4, name, 'font-size="11"'));
  });
  if (series.length === 0) parts.push(text(plot.x + 20, plot.y + 30, 'not measured', 'font-size="12" fill="#999"'));
  parts.push(
    text(
      20,
      height - 30,
      `messages/s = ${members(options.roomRate)} / room size; 2 nodes: both nodes' CPU, receivers alternating between them, redis-server not included`,
      'font-size="10" fill="#555"',
    ),
  );
  parts.push(text(20, height - 14, `command: ${meta.command}`, 'font-size="10" fill="#555"'));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
}

/** Three panels: echo throughput, p99 at the fixed rate, and fan-out p99 along the ladder. */
export function svgChart(summary, runs, variants, meta) {
  const width = 1080;
  const height = 420;
  const panel = { w: 320, h: 280, top: 70 };
  const parts = [];
  const text = (x, y, s, attrs = '') => `<text x="${x}" y="${y}" ${attrs}>${escapeXml(s)}</text>`;
  parts.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  parts.push(text(20, 28, `nest-realtime benchmark — ${meta.mode} run, ${meta.date}`, 'font-size="16" font-weight="bold"'));
  parts.push(
    text(
      20,
      48,
      `servers pinned to 1 core, ${meta.cpuModel}, Node ${meta.node}; ratios are to bare Socket.IO in the same run`,
      'font-size="11" fill="#555"',
    ),
  );

  const bars = (x0, key, title, unit) => {
    const m = summary[key];
    parts.push(text(x0, panel.top - 8, title, 'font-size="13" font-weight="bold"'));
    if (!m) return parts.push(text(x0, panel.top + 20, 'not measured', 'font-size="12" fill="#999"'));
    const present = variants.filter((v) => m.variants[v.id]?.median !== null && m.variants[v.id]?.median !== undefined);
    const max = Math.max(...present.map((v) => m.variants[v.id].median)) * 1.15 || 1;
    const bw = panel.w / Math.max(present.length, 1);
    const base = panel.top + panel.h;
    parts.push(`<line x1="${x0}" y1="${base}" x2="${x0 + panel.w}" y2="${base}" stroke="#333"/>`);
    present.forEach((v, i) => {
      const cell = m.variants[v.id];
      const h = (cell.median / max) * panel.h;
      const x = x0 + i * bw + bw * 0.15;
      parts.push(`<rect x="${x}" y="${base - h}" width="${bw * 0.7}" height="${h}" fill="${COLORS[v.id] ?? '#777'}"/>`);
      const label = `${fmt(cell.median, m.unit)} ${unit}`;
      parts.push(text(x + bw * 0.35, base - h - 18, label, 'font-size="11" text-anchor="middle"'));
      if (cell.ratio !== null)
        parts.push(
          text(x + bw * 0.35, base - h - 5, `${cell.ratio.toFixed(2)}x`, 'font-size="11" text-anchor="middle" font-weight="bold"'),
        );
      parts.push(text(x + bw * 0.35, base + 14, v.id, 'font-size="11" text-anchor="middle"'));
    });
  };
  bars(20, 'echo.throughput', 'Echo with ack, closed loop: msg/s (higher is better)', '');
  bars(380, 'echo.fixedP99', 'Echo p99 at a fixed rate: ms (lower is better)', 'ms');

  // Fan-out: median p99 per offered rate, log-scaled y.
  const x0 = 740;
  parts.push(text(x0, panel.top - 8, 'Fan-out to 1 room, 1 node: p99 ms by deliveries/s', 'font-size="13" font-weight="bold"'));
  const series = variants
    .map((v) => {
      const rounds = (runs.fanout?.[v.id] ?? []).filter((r) => r && !r.error);
      const byRate = new Map();
      for (const r of rounds)
        for (const s of r.steps)
          if (!s.saturated) byRate.set(s.offeredDeliveries, [...(byRate.get(s.offeredDeliveries) ?? []), s.latency.p99]);
      return { v, points: [...byRate].map(([x, ys]) => [x, median(ys)]).sort((a, b) => a[0] - b[0]) };
    })
    .filter((s) => s.points.length > 0);
  const base = panel.top + panel.h;
  parts.push(
    `<line x1="${x0}" y1="${base}" x2="${x0 + panel.w}" y2="${base}" stroke="#333"/><line x1="${x0}" y1="${panel.top}" x2="${x0}" y2="${base}" stroke="#333"/>`,
  );
  if (series.length > 0) {
    const xs = series.flatMap((s) => s.points.map((p) => p[0]));
    const xMax = Math.max(...xs) * 1.05;
    const yMin = 1;
    const yMax = Math.max(300, ...series.flatMap((s) => s.points.map((p) => p[1])));
    const sx = (x) => x0 + (x / xMax) * panel.w;
    const sy = (y) => base - ((Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * panel.h;
    for (const tick of [1, 10, 100, 1000].filter((t) => t <= yMax)) {
      parts.push(`<line x1="${x0}" y1="${sy(tick)}" x2="${x0 + panel.w}" y2="${sy(tick)}" stroke="#eee"/>`);
      parts.push(text(x0 - 4, sy(tick) + 4, String(tick), 'font-size="10" text-anchor="end"'));
    }
    parts.push(`<line x1="${x0}" y1="${sy(20)}" x2="${x0 + panel.w}" y2="${sy(20)}" stroke="#d62728" stroke-dasharray="4 3"/>`);
    parts.push(text(x0 + panel.w - 2, sy(20) - 3, 'target 20 ms', 'font-size="10" fill="#d62728" text-anchor="end"'));
    for (const tick of [...new Set(xs)].sort((a, b) => a - b))
      parts.push(text(sx(tick), base + 14, `${tick / 1000}k`, 'font-size="9" text-anchor="middle"'));
    series.forEach(({ v, points }, i) => {
      parts.push(
        `<polyline fill="none" stroke="${COLORS[v.id] ?? '#777'}" stroke-width="2" points="${points.map(([x, y]) => `${sx(x)},${sy(y)}`).join(' ')}"/>`,
      );
      for (const [x, y] of points) parts.push(`<circle cx="${sx(x)}" cy="${sy(y)}" r="3" fill="${COLORS[v.id] ?? '#777'}"/>`);
      parts.push(`<rect x="${x0 + 10}" y="${panel.top + 8 + i * 15}" width="10" height="10" fill="${COLORS[v.id] ?? '#777'}"/>`);
      parts.push(text(x0 + 25, panel.top + 17 + i * 15, v.label, 'font-size="10"'));
    });
  }
  parts.push(text(20, height - 14, `command: ${meta.command}`, 'font-size="10" fill="#555"'));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}

function escapeXml(s) {
  return String(s).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);
}

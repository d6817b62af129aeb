// Scenario 1 again, paired: bare Socket.IO and one other variant run side by
// side (both servers pinned to the server core), and the generator drives
// them in alternating slices (A B A B ..., 250 ms each) of the same closed
// loop. A shared machine's speed drifts by tens of percent over seconds; the
// rounds of the other scenarios each see a different moment of it, the two
// servers of a pair see the same ones. Each server's CPU is read over the
// whole window: the one not being driven sits idle. Then the same at the echo
// scenario's fixed rate, in alternating 500 ms slices: the p99 there is set by
// the machine's stalls, which come and go with its drift.
import { encode, histogram, summary } from '../hist.mjs';
import { measured, window, round1, round3 } from '../measure.mjs';
import { tokenFor } from '../tokens.mjs';
import { openMany, WireClient } from '../wire.mjs';
import { echoRequest, keepBusy, openLoop } from './echo.mjs';

/** Slice length: long enough to amortise the drain between slices, short against the drift. */
export const SLICE_MS = 250;
/** Fixed-rate slice length: 2,500 requests at 5,000/s, so the slowest 1 % of each side's requests spans many slices. */
const FIXED_SLICE_MS = 500;

export async function runPaired({ base, other, baseVariant, variant, options, quiet, round }) {
  const sides = [];
  try {
    for (const [server, v] of [
      [base, baseVariant],
      [other, variant],
    ]) {
      await addSide(sides, server, { count: options.echoClients, raw: v.raw, label: `paired: ${v.id}` });
    }
    // Warm-up: both servers' code optimised before anything counts.
    await slices(sides, options.warmupMs * 2, 0);
    // Odd rounds start with the other variant, so neither is always first.
    const closed = await measured(quiet, () => slices(sides, options.echoMs * 2, round % 2), options);
    await fixedSlices(sides, options.fixedRate, options.warmupMs * 2, 0);
    // As long a side as the echo scenario's fixed rate (10 s, 50,000 requests): its p99 rests on the slowest 1 %.
    const fixed = await measured(quiet, () => fixedSlices(sides, options.fixedRate, options.fixedMs * 2, round % 2), options);
    return { ...closed, fixed };
  } finally {
    for (const side of sides) for (const client of side.clients) client.close();
  }
}

/**
 * Connects `count` echo clients to `server` and adds `{ server, clients }` to
 * `sides`, before it fails when any could not connect, so that the caller's
 * cleanup closes the ones that did.
 */
export async function addSide(sides, server, { count, raw, label }) {
  const { clients, failures } = await openMany(
    count,
    50,
    (i) => new WireClient({ port: server.port, token: tokenFor(`paired-${i}`), raw }),
  );
  sides.push({ server, clients });
  if (failures.length > 0) throw new Error(`${label}: ${failures.length} clients could not connect: ${failures[0].error.message}`);
}

/**
 * The echo closed loop at each of `sides` ({ server, clients }) in turn, in
 * `SLICE_MS` slices, for `totalMs` in all; each side's throughput and CPU per
 * echo (`base` the first side's, `self` the second's). `request` makes each
 * client's requests (see `echoRequest`): the events scenario sends the app's
 * real events through the same loop.
 */
export async function slices(sides, totalMs, first, request = echoRequest) {
  const counts = sides.map(() => ({ completed: 0, failed: 0, ms: 0 }));
  const measure = window(sides.map((s) => s.server));
  for (let k = 0; k * SLICE_MS < totalMs; k++) {
    const i = (k + first) % sides.length;
    const began = performance.now();
    const { completed, failed } = await closedLoop(sides[i].clients, SLICE_MS, request);
    counts[i].completed += completed;
    counts[i].failed += failed;
    counts[i].ms += performance.now() - began;
  }
  const w = measure.stop();
  const figures = counts.map((c, i) => ({
    throughput: round1((c.completed * 1000) / c.ms),
    cpuPerMsgUs: round3((w.cpu[i] * 1000) / c.completed),
    userCpuPerMsgUs: round3((w.userCpu[i] * 1000) / c.completed),
    completed: c.completed,
    failed: c.failed,
  }));
  return pairOf(figures, w, totalMs, SLICE_MS);
}

/**
 * The fixed-rate echo (or `request`'s events) in alternating slices, each
 * side's latency from the time each request was due, pooled over that side's
 * slices. A slice ends when its last reply is in, so no server ever sees the
 * other's load.
 */
export async function fixedSlices(sides, rate, totalMs, first, request = echoRequest) {
  const latency = sides.map(() => histogram());
  const counts = sides.map(() => ({ sent: 0, answered: 0, failed: 0, lost: 0 }));
  const perSlice = Math.max(1, Math.round((rate * FIXED_SLICE_MS) / 1000));
  const measure = window(sides.map((s) => s.server));
  for (let k = 0; k * FIXED_SLICE_MS < totalMs; k++) {
    const i = (k + first) % sides.length;
    const { sent, answered, failed, drained } = await openLoop(sides[i].clients, rate, perSlice, latency[i], { everyMs: 1, request });
    counts[i].sent += sent;
    counts[i].answered += answered;
    counts[i].failed += failed;
    if (!drained) counts[i].lost += sent - answered;
  }
  const w = measure.stop();
  const figures = counts.map((c, i) => ({
    rate,
    ...c,
    cpuPerMsgUs: round3((w.cpu[i] * 1000) / c.answered),
    latency: summary(latency[i]),
    histogram: encode(latency[i]),
  }));
  return pairOf(figures, w, totalMs, FIXED_SLICE_MS);
}

/** A pair's result: bare Socket.IO's figures (`base`), the other variant's (`self`), and the window's. */
function pairOf(figures, w, totalMs, sliceMs) {
  return {
    base: figures[0],
    self: figures[1],
    slices: Math.ceil(totalMs / sliceMs),
    sliceMs,
    generatorLoad: round3(w.generatorLoad),
    generatorGc: w.generatorGc,
    foreignLoad: round3(w.foreignLoad),
    coreBusy: w.coreBusy,
  };
}

/** One slice: the closed loop for `ms`, then a drain; the replies of the drain count too (so does its CPU). */
async function closedLoop(clients, ms, request) {
  let completed = 0;
  let failed = 0;
  const loop = keepBusy(
    clients,
    (ok) => {
      if (ok) completed++;
      else failed++;
    },
    request,
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  loop.stop();
  await loop.drained(1);
  return { completed, failed };
}

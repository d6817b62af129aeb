// Scenario 1: emit-with-ack round trips from 50 clients, first closed loop
// (each client sends its next request when the previous ack arrives: the
// server's throughput), then open loop at a fixed rate (latency at a load every
// variant can carry). Fixed-rate latency is measured from the time each request
// was due, not the time it went out, so a stalled server is charged for the
// requests it delayed (coordinated omission).
import { encode, histogram, summary } from '../hist.mjs';
import { pace } from '../pace.mjs';
import { measured, until, window, round1, round3 } from '../measure.mjs';
import { tokenFor } from '../tokens.mjs';
import { openMany, WireClient } from '../wire.mjs';

export const TEXT = 'The quick brown fox jumps over the lazy dog, 0123456789 abcdefghi';
export const ECHO_BODY = JSON.stringify({ text: TEXT });
const ECHO_REQUEST = Object.freeze({ event: 'bench:echo', body: ECHO_BODY });

/**
 * The default request maker of `keepBusy` and `openLoop`: `request(i)` gives
 * client i's next request as `{ event, body }` (the body already JSON); the
 * echo sends the same `bench:echo` from every client.
 */
export const echoRequest = () => ECHO_REQUEST;

export async function runEcho({ server, variant, options, quiet, profilePath }) {
  const { clients, failures } = await openMany(
    options.echoClients,
    50,
    (i) => new WireClient({ port: server.port, token: tokenFor(`echo-${i}`), raw: variant.raw }),
  );
  if (failures.length > 0) throw new Error(`echo: ${failures.length} clients could not connect: ${failures[0].error.message}`);
  try {
    await closedLoop(clients, server, options.warmupMs);
    if (profilePath) {
      // Profiling slows the server down: these figures are not comparable and not reported as results.
      await quiet();
      await server.profileStart();
      const closed = await closedLoop(clients, server, options.echoMs);
      await server.profileStop(profilePath);
      return { closed: { ...closed, profiled: true } };
    }
    const closed = await measured(quiet, () => closedLoop(clients, server, options.echoMs), options);
    await fixedRate(clients, server, Math.min(options.fixedRate, 2000), options.warmupMs);
    const fixed = await measured(quiet, () => fixedRate(clients, server, options.fixedRate, options.fixedMs), options);
    return { closed, fixed };
  } finally {
    for (const client of clients) client.close();
  }
}

/**
 * The closed loop of the echo scenarios (and of the events scenario): every
 * client keeps one request in flight, `bench:echo` unless `request` (see
 * `echoRequest`) says otherwise, sending the next when the ack arrives, until
 * `stop()`. `onReply(ok, sentAt, late)` sees every reply; `late` ones arrived
 * after `stop()`, while the loop drained.
 */
export function keepBusy(clients, onReply, request = echoRequest) {
  let stopped = false;
  let inFlight = 0;
  const fire = (client, i) => {
    const { event, body } = request(i);
    const sent = performance.now();
    inFlight++;
    client.request(event, body, (ok) => {
      inFlight--;
      onReply(ok, sent, stopped);
      if (!stopped) fire(client, i);
    });
  };
  clients.forEach(fire);
  return {
    stop: () => void (stopped = true),
    /** Resolves once the last request in flight is answered (false after 10 s). */
    drained: (everyMs) => until(() => inFlight === 0, 10000, everyMs),
  };
}

async function closedLoop(clients, server, durationMs) {
  const latency = histogram();
  let completed = 0;
  let failed = 0;
  const measure = window([server]);
  const loop = keepBusy(clients, (ok, sent, late) => {
    if (late) return;
    latency.recordValue(Math.max(1, Math.round((performance.now() - sent) * 1000)));
    if (ok) completed++;
    else failed++;
  });
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  loop.stop();
  const w = measure.stop();
  await loop.drained();
  return {
    throughput: round1((completed * 1000) / w.ms),
    cpuPerMsgUs: round3((w.cpu[0] * 1000) / completed),
    serverCpuLoad: round3(w.cpu[0] / w.ms),
    generatorLoad: round3(w.generatorLoad),
    foreignLoad: round3(w.foreignLoad),
    coreBusy: w.coreBusy,
    // Which side ran out of CPU: a closed loop measures the server only when its core is the one that is full.
    bound: boundBy(w.coreBusy),
    completed,
    failed,
    latency: summary(latency),
  };
}

async function fixedRate(clients, server, rate, durationMs) {
  const corrected = histogram();
  const service = histogram();
  const measure = window([server]);
  const { sent, answered, failed, drained } = await openLoop(clients, rate, Math.round((rate * durationMs) / 1000), corrected, { service });
  const w = measure.stop();
  return {
    rate,
    achievedRate: round1((answered * 1000) / w.ms),
    cpuPerMsgUs: round3((w.cpu[0] * 1000) / answered),
    serverCpuLoad: round3(w.cpu[0] / w.ms),
    generatorLoad: round3(w.generatorLoad),
    foreignLoad: round3(w.foreignLoad),
    coreBusy: w.coreBusy,
    stolen: w.stolen,
    generatorGc: w.generatorGc,
    sent,
    answered,
    failed,
    lost: drained ? 0 : sent - answered,
    latency: summary(corrected),
    histogram: encode(corrected),
    serviceLatency: summary(service),
  };
}

/**
 * The open loop of the echo scenarios (and of the events scenario): `total`
 * requests at `rate` per second, round robin over `clients`, `bench:echo`
 * unless `request` (see `echoRequest`) says otherwise. Each reply's latency
 * goes into `corrected` from the time its request was due (so a stalled
 * server is charged for the requests it delayed) and into `service`, when
 * given, from the time it went out. Resolves once every request is answered
 * (`drained` false when some were not within 10 s), polling every `everyMs`.
 */
export async function openLoop(clients, rate, total, corrected, { service, everyMs = 5, request = echoRequest } = {}) {
  let sent = 0;
  let answered = 0;
  let failed = 0;
  await pace(rate, total, (due, index) => {
    const i = index % clients.length;
    const client = clients[i];
    const { event, body } = request(i);
    const out = performance.now();
    sent++;
    client.request(event, body, (ok) => {
      const at = performance.now();
      corrected.recordValue(Math.max(1, Math.round((at - due) * 1000)));
      service?.recordValue(Math.max(1, Math.round((at - out) * 1000)));
      answered++;
      if (!ok) failed++;
    });
  });
  const drained = await until(() => answered === sent, 10000, everyMs);
  return { sent, answered, failed, drained };
}

function boundBy([server, generator] = []) {
  if (server === null || server === undefined) return 'unknown';
  if (server >= 0.95) return generator >= 0.95 ? 'both' : 'server';
  return generator >= 0.95 ? 'generator' : 'neither';
}

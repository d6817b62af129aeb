// Scenarios 3 and 4: fan-out to one chat room of N receivers, on a ladder of
// send rates until the server saturates. One more client, the sender, joins the
// room and sends `chat:send` (with an ack) at a fixed rate; the server delivers
// each message to the N others (deliveries/s = messages/s x N). Each message's
// text starts with `#<seq>#`; a receiver only searches for it, and its latency
// runs from the time the message was due to be sent (coordinated omission).
// With two servers (two nodes through Redis) the receivers alternate between
// them and the sender is on the first. `runClusterPaired` drives one node and
// two nodes side by side in alternating slices, for the ratio of the two.
import { histogram, summary } from '../hist.mjs';
import { measured, until, window, round1, round3 } from '../measure.mjs';
import { pace } from '../pace.mjs';
import { tokenFor } from '../tokens.mjs';
import { openMany, WireClient } from '../wire.mjs';

const ROOM = 'bench';
const PADDING = ' fan-out payload, about as long as a short chat line.';
const HASH = 35;

/** A step is saturated when deliveries go missing or queue up past this p99. */
export const SATURATION_P99_MS = 100;
const DRAIN_MS = 2000;

export async function runFanout({ servers, others = [], variant, options, quiet, round }) {
  const maxMessages = Math.ceil((Math.max(...options.rates) * options.stepMs) / 1000) + 16;
  const room = await openRoom({ servers, variant, receivers: options.receivers, user: (i) => `fan${round}-${i}`, maxMessages });
  try {
    const steps = [];
    for (const [index, rate] of options.rates.entries()) {
      // The first rate runs twice: once unmeasured, to warm the JIT.
      if (index === 0) await runStep(rate, Math.min(options.stepMs, options.fanoutWarmupMs));
      const result = await measured(quiet, () => runStep(rate, options.stepMs), options);
      steps.push(result);
      if (result.saturated) break;
    }
    const sustained = steps.filter((s) => !s.saturated);
    const best = sustained[sustained.length - 1];
    return {
      receivers: options.receivers,
      nodes: servers.length,
      steps,
      maxSustainedDeliveries: best ? best.offeredDeliveries : 0,
      // The highest rung whose p99 stayed within the 20 ms the issue asks for at 50k/s.
      maxWithin20ms: Math.max(0, ...sustained.filter((s) => s.latency.p99 <= 20).map((s) => s.offeredDeliveries)),
      saturatedAt: steps.find((s) => s.saturated)?.offeredDeliveries ?? null,
    };
  } finally {
    room.close();
  }

  async function runStep(rate, durationMs) {
    const total = Math.round((rate * durationMs) / 1000);
    room.reset();
    const measure = window([...servers, ...others]);
    const { complete, failed } = await room.send(rate, total);
    const w = measure.stop();
    const { delivered, lastAt, latency: histogramOfStep } = room.current;
    const latency = summary(histogramOfStep);
    const expected = total * options.receivers;
    const saturated = !complete || failed > 0 || latency.p99 > SATURATION_P99_MS;
    const nodesCpu = sum(w.cpu.slice(0, servers.length));
    return {
      rate,
      offeredDeliveries: rate * options.receivers,
      achievedDeliveries: round1((delivered * 1000) / Math.max(durationMs, lastAt - measure.start.at)),
      messages: total,
      expected,
      delivered,
      missing: expected - delivered,
      sendFailures: failed,
      saturated,
      // Nodes only; `others` (Redis) separately.
      cpuPerDeliveryUs: round3((nodesCpu * 1000) / Math.max(1, delivered)),
      othersCpuPerDeliveryUs: others.length > 0 ? round3(((w.cpuTotal - nodesCpu) * 1000) / Math.max(1, delivered)) : undefined,
      cpuMs: w.cpu.map((ms) => round1(ms)),
      serverCpuLoad: round3(nodesCpu / w.ms),
      generatorLoad: round3(w.generatorLoad),
      foreignLoad: round3(w.foreignLoad),
      coreBusy: w.coreBusy,
      latency,
      lastError: room.sender.lastError ? String(room.sender.lastError).slice(0, 200) : undefined,
    };
  }
}

/** Slice length of the paired one-node / two-node fan-out: 50 messages at 50 per second. */
const CLUSTER_SLICE_MS = 1000;

/**
 * Scenarios 3 and 4 side by side: the fan-out at one rate (`options.clusterRate`
 * messages/s to 1,000 receivers) to a room on one node (`single`) and to a
 * room across two nodes through Redis (`nodes`), in alternating 1 s slices,
 * `options.clusterMs` per side. Every server stays up throughout, pinned to
 * the server core; the one not being driven sits idle. The two nodes' CPU per
 * delivery over the one node's is then a ratio of two figures taken at the
 * same moments, not minutes apart on a machine whose speed drifts.
 */
export async function runClusterPaired({ single, nodes, redis, variant, options, quiet, round }) {
  const rate = options.clusterRate;
  const perSlice = Math.max(1, Math.round((rate * CLUSTER_SLICE_MS) / 1000));
  const slices = Math.max(2, Math.round(options.clusterMs / CLUSTER_SLICE_MS)) * 2;
  const warmSlices = Math.max(1, Math.round(options.fanoutWarmupMs / CLUSTER_SLICE_MS)) * 2;
  const maxMessages = perSlice * Math.max(slices, warmSlices) + 16;
  const rooms = [];
  try {
    rooms.push(await openRoom({ servers: [single], variant, receivers: options.receivers, user: (i) => `one${round}-${i}`, maxMessages }));
    rooms.push(await openRoom({ servers: nodes, variant, receivers: options.receivers, user: (i) => `two${round}-${i}`, maxMessages }));
    const drive = async (count, first) => {
      for (const room of rooms) room.reset();
      const outcome = rooms.map(() => ({ complete: true, failed: 0 }));
      for (let k = 0; k < count; k++) {
        const i = (k + first) % 2;
        const { complete, failed } = await rooms[i].send(rate, perSlice);
        outcome[i].complete &&= complete;
        outcome[i].failed += failed;
      }
      return outcome;
    };
    await drive(warmSlices, 0);
    return await measured(
      quiet,
      async () => {
        const measure = window([single, ...nodes, redis]);
        // Odd rounds start with the two nodes, so neither side is always first.
        const outcome = await drive(slices, round % 2);
        const w = measure.stop();
        const cpu = [w.cpu[0], w.cpu[1] + w.cpu[2]];
        const [one, two] = rooms.map((room, i) => {
          const { sent, delivered, latency } = room.current;
          return {
            nodes: i + 1,
            messages: sent,
            expected: sent * options.receivers,
            delivered,
            missing: sent * options.receivers - delivered,
            sendFailures: outcome[i].failed,
            complete: outcome[i].complete,
            cpuMs: round1(cpu[i]),
            cpuPerDeliveryUs: round3((cpu[i] * 1000) / Math.max(1, delivered)),
            latency: summary(latency),
          };
        });
        return {
          rate,
          offeredDeliveries: rate * options.receivers,
          receivers: options.receivers,
          slices,
          sliceMs: CLUSTER_SLICE_MS,
          one,
          two: { ...two, redisCpuPerDeliveryUs: round3((w.cpu[3] * 1000) / Math.max(1, two.delivered)) },
          ratio: one.cpuPerDeliveryUs > 0 ? round3(two.cpuPerDeliveryUs / one.cpuPerDeliveryUs) : null,
          generatorLoad: round3(w.generatorLoad),
          foreignLoad: round3(w.foreignLoad),
          coreBusy: w.coreBusy,
        };
      },
      options,
    );
  } finally {
    for (const room of rooms) room.close();
  }
}

/**
 * A chat room of `receivers` clients spread over `servers` (round robin) and a
 * sender on the first, all joined (the rooms scenario opens one per cell too). `send(rate, count)` sends `count` messages
 * at `rate` and waits for every delivery and ack (2 s at most); `current`
 * holds what the sends since the last `reset()` delivered and how fast.
 * Sequence numbers run on across resets, so a late delivery of an earlier
 * count is never taken for one of the current count; `maxMessages` is the
 * most sent between two resets (their due times are kept in a ring).
 */
export async function openRoom({ servers, variant, receivers: count, user, maxMessages }) {
  const due = new Float64Array(maxMessages);
  let seqBase = 0;
  let current;
  const reset = () => {
    seqBase += current?.sent ?? 0;
    current = { sent: 0, delivered: 0, acked: 0, failed: 0, latency: histogram(), lastAt: 0, first: seqBase };
  };
  reset();

  const onEvent = (data) => {
    const at = performance.now();
    let index = data.indexOf(HASH);
    if (index < 0) return;
    let seq = 0;
    for (let c = data[++index]; c >= 48 && c <= 57; c = data[++index]) seq = seq * 10 + (c - 48);
    // Only messages sent since the last reset.
    if (seq < current.first || seq >= current.first + current.sent) return;
    current.delivered++;
    current.lastAt = at;
    current.latency.recordValue(Math.max(1, Math.round((at - due[seq % due.length]) * 1000)));
  };

  const { clients: receivers, failures } = await openMany(
    count,
    100,
    (i) => new WireClient({ port: servers[i % servers.length].port, token: tokenFor(user(i)), raw: variant.raw, onEvent }),
  );
  const sender =
    failures.length > 0
      ? undefined
      : await new WireClient({ port: servers[0].port, token: tokenFor(user('sender')), raw: variant.raw })
          .connect()
          .catch((error) => ({ error }));
  const close = () => {
    for (const client of receivers) client.close();
    if (sender && !sender.error) sender.close();
  };
  if (failures.length > 0 || sender.error) {
    close();
    throw new Error(
      `fan-out: ${failures.length > 0 ? `${failures.length} receivers` : 'the sender'} could not connect: ${(failures[0]?.error ?? sender.error).message}`,
    );
  }
  try {
    await Promise.all([...receivers, sender].map((client) => client.call('chat:join', { roomId: ROOM })));
  } catch (error) {
    close();
    throw error;
  }

  return {
    sender,
    get current() {
      return current;
    },
    reset,
    close,
    async send(rate, total) {
      const step = current;
      const failedBefore = step.failed;
      const target = step.sent + total;
      await pace(rate, total, (dueAt) => {
        const seq = step.first + step.sent;
        due[seq % due.length] = dueAt;
        step.sent++;
        sender.request('chat:send', `{"roomId":"${ROOM}","text":"#${seq}#${PADDING}"}`, (ok) => {
          step.acked++;
          if (!ok) step.failed++;
        });
      });
      const complete = await until(() => step.delivered >= target * count && step.acked === target, DRAIN_MS);
      return { complete, failed: step.failed - failedBefore };
    },
  };
}

const sum = (values) => values.reduce((a, b) => a + b, 0);

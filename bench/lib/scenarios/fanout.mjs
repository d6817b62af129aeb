// Scenarios 3 and 4: fan-out to one chat room of N receivers, on a ladder of
// send rates until the server saturates. One more client, the sender, joins the
// room and sends `chat:send` (with an ack) at a fixed rate; the server delivers
// each message to the N others (deliveries/s = messages/s x N). Each message's
// text starts with `#<seq>#`; a receiver only searches for it, and its latency
// runs from the time the message was due to be sent (coordinated omission).
// With two servers (two nodes through Redis) the receivers alternate between
// them and the sender is on the first.
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
  const receiverCount = options.receivers;
  const maxMessages = Math.ceil((Math.max(...options.rates) * options.stepMs) / 1000) + 16;
  const due = new Float64Array(maxMessages);
  let step;

  const onEvent = (data) => {
    const at = performance.now();
    let index = data.indexOf(HASH);
    if (index < 0) return;
    let seq = 0;
    for (let c = data[++index]; c >= 48 && c <= 57; c = data[++index]) seq = seq * 10 + (c - 48);
    if (step === undefined || seq >= step.sent) return;
    step.delivered++;
    step.lastAt = at;
    step.latency.recordValue(Math.max(1, Math.round((at - due[seq]) * 1000)));
  };

  const user = (i) => `fan${round}-${i}`;
  const { clients: receivers, failures } = await openMany(receiverCount, 100, (i) =>
    new WireClient({ port: servers[i % servers.length].port, token: tokenFor(user(i)), raw: variant.raw, onEvent }),
  );
  if (failures.length > 0) throw new Error(`fan-out: ${failures.length} receivers could not connect: ${failures[0].error.message}`);
  const sender = await new WireClient({ port: servers[0].port, token: tokenFor(user('sender')), raw: variant.raw }).connect();
  try {
    const join = JSON.stringify({ roomId: ROOM });
    await Promise.all([...receivers, sender].map((client) => client.call('chat:join', JSON.parse(join))));

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
      receivers: receiverCount,
      nodes: servers.length,
      steps,
      maxSustainedDeliveries: best ? best.offeredDeliveries : 0,
      // The highest rung whose p99 stayed within the 20 ms the issue asks for at 50k/s.
      maxWithin20ms: Math.max(0, ...sustained.filter((s) => s.latency.p99 <= 20).map((s) => s.offeredDeliveries)),
      saturatedAt: steps.find((s) => s.saturated)?.offeredDeliveries ?? null,
    };
  } finally {
    for (const client of [...receivers, sender]) client.close();
  }

  function nodesCpu(w) {
    return w.cpu.slice(0, servers.length).reduce((a, b) => a + b, 0);
  }

  async function runStep(rate, durationMs) {
    const total = Math.round((rate * durationMs) / 1000);
    const current = { sent: 0, delivered: 0, latency: histogram(), acked: 0, failed: 0, lastAt: 0 };
    step = current;
    const measure = window([...servers, ...others]);
    await pace(rate, total, (dueAt, seq) => {
      due[seq] = dueAt;
      current.sent = seq + 1;
      sender.request('chat:send', `{"roomId":"${ROOM}","text":"#${seq}#${PADDING}"}`, (ok) => {
        current.acked++;
        if (!ok) current.failed++;
      });
    });
    const expected = total * receiverCount;
    const complete = await until(() => current.delivered >= expected && current.acked === total, DRAIN_MS);
    const w = measure.stop();
    step = undefined;
    const latency = summary(current.latency);
    const saturated = !complete || current.failed > 0 || latency.p99 > SATURATION_P99_MS;
    return {
      rate,
      offeredDeliveries: rate * receiverCount,
      achievedDeliveries: round1((current.delivered * 1000) / Math.max(durationMs, current.lastAt - measure.start.at)),
      messages: total,
      expected,
      delivered: current.delivered,
      missing: expected - current.delivered,
      sendFailures: current.failed,
      saturated,
      // Nodes only; `others` (Redis) separately.
      cpuPerDeliveryUs: round3((nodesCpu(w) * 1000) / Math.max(1, current.delivered)),
      othersCpuPerDeliveryUs: others.length > 0 ? round3(((w.cpuTotal - nodesCpu(w)) * 1000) / Math.max(1, current.delivered)) : undefined,
      cpuMs: w.cpu.map((ms) => round1(ms)),
      serverCpuLoad: round3(nodesCpu(w) / w.ms),
      generatorLoad: round3(w.generatorLoad),
      foreignLoad: round3(w.foreignLoad),
      coreBusy: w.coreBusy,
      latency,
      lastError: sender.lastError ? String(sender.lastError).slice(0, 200) : undefined,
    };
  }
}

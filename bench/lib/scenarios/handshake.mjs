// Scenario 2: a burst of JWT handshakes, one in ten with a token signed by the
// wrong key. Every handshake is a new WebSocket connection that goes as far as
// the namespace connect (`40{sid}`) or its refusal (`44`, or a 401 on the bare
// ws floor). Connections stay open until the burst is over, so the server's
// CPU time is the handshakes' and not their disconnects'; the reading is taken
// after a short settle, so work a server does right after the connect (the
// app's `session:ready`, registry, presence) is counted too.
import { setTimeout as sleep } from 'node:timers/promises';
import { histogram, summary } from '../hist.mjs';
import { measured, window, round1, round3 } from '../measure.mjs';
import { tokenFor } from '../tokens.mjs';
import { RefusedError, WireClient } from '../wire.mjs';

const CONCURRENCY = 200;
const SETTLE_MS = 300;

export async function runHandshake({ server, variant, options, quiet, round }) {
  await burst(server, variant, Math.round(options.handshakes / 10), `hw${round}`);
  return measured(quiet, (attempt) => burst(server, variant, options.handshakes, `hs${round}.${attempt}`), options);
}

async function burst(server, variant, count, prefix) {
  const latency = histogram();
  const clients = [];
  let accepted = 0;
  let refused = 0;
  let wrong = 0;
  const wrongSamples = [];
  let next = 0;
  const invalid = (i) => i % 10 === 9;
  const tokens = Array.from({ length: count }, (_, i) => tokenFor(`${prefix}-${i}`, { valid: !invalid(i) }));
  const measure = window([server]);
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const client = new WireClient({ port: server.port, token: tokens[i], raw: variant.raw });
      const started = performance.now();
      try {
        await client.connect();
        latency.recordValue(Math.max(1, Math.round((performance.now() - started) * 1000)));
        clients.push(client);
        if (invalid(i)) {
          wrong++;
          wrongSamples.push('an invalid token was accepted');
        } else accepted++;
      } catch (error) {
        client.close();
        if (error instanceof RefusedError && error.code === 'UNAUTHORIZED' && invalid(i)) refused++;
        else {
          wrong++;
          if (wrongSamples.length < 3) wrongSamples.push(error.message);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const burstMs = performance.now() - measure.start.at;
  await sleep(SETTLE_MS);
  const w = measure.stop();
  for (const client of clients) client.close();
  return {
    count,
    accepted,
    refused,
    wrong,
    wrongSamples,
    rate: round1((count * 1000) / burstMs),
    cpuPerHandshakeUs: round3((w.cpu[0] * 1000) / count),
    serverCpuLoad: round3(w.cpu[0] / burstMs),
    generatorLoad: round3(w.generatorLoad),
    foreignLoad: round3(w.foreignLoad),
    coreBusy: w.coreBusy,
    latency: summary(latency),
  };
}

// Scenario 5: idle memory per authenticated connection. A fresh server is
// measured at rest, then with N idle authenticated connections for each N of
// the ladder (one user per connection, so no per-user cap refuses). Each
// reading is taken once the server's RSS has stopped moving, after two forced
// GCs in the server; the generator answers Engine.IO pings meanwhile.
import { setTimeout as sleep } from 'node:timers/promises';
import { tokenFor } from '../tokens.mjs';
import { WireClient } from '../wire.mjs';

const GIB = 2 ** 30;

export async function runMemory({ server, variant, options, quiet, round }) {
  await quiet();
  const base = await settle(server, options.settleMs);
  const clients = [];
  const levels = [];
  try {
    for (const target of options.memoryConnections) {
      const from = clients.length;
      let next = from;
      const failures = [];
      const worker = async () => {
        while (next < target) {
          const i = next++;
          const client = new WireClient({ port: server.port, token: tokenFor(`mem${round}-${i}`), raw: variant.raw });
          try {
            clients.push(await client.connect());
          } catch (error) {
            client.close();
            failures.push(error.message);
          }
        }
      };
      await Promise.all(Array.from({ length: 200 }, worker));
      if (failures.length > 0) throw new Error(`memory: ${failures.length} connections refused: ${failures[0]}`);
      const quietState = await quiet();
      const reading = await settle(server, options.settleMs);
      const rssPerConn = (reading.rss - base.rss) / target;
      levels.push({
        connections: target,
        rss: reading.rss,
        heapUsed: reading.heapUsed,
        rssPerConnBytes: Math.round(rssPerConn),
        heapPerConnBytes: Math.round((reading.heapUsed - base.heapUsed) / target),
        externalPerConnBytes: Math.round((reading.external + reading.arrayBuffers - base.external - base.arrayBuffers) / target),
        connectionsPerGiB: Math.round(GIB / rssPerConn),
        quiet: quietState,
      });
    }
  } finally {
    for (const client of clients) client.close();
  }
  return { base, levels };
}

/** Forces GC in the server, then waits until its RSS holds still (within 0.5 % over `everyMs`) and reads it. */
async function settle(server, everyMs) {
  let previous = -1;
  let reading;
  for (let attempt = 0; attempt < 20; attempt++) {
    reading = await server.mem();
    await sleep(everyMs);
    const { rss } = server.rss();
    if (previous > 0 && Math.abs(rss - previous) / previous < 0.005) return figures(rss, reading);
    previous = rss;
  }
  return { ...figures(server.rss().rss, reading), unsettled: true };
}

/** RSS and the heap figures of one reading. */
function figures(rss, { heapUsed, heapTotal, external, arrayBuffers }) {
  return { rss, heapUsed, heapTotal, external, arrayBuffers };
}

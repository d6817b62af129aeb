// Scenario "rooms": what a delivery costs as a room grows. For each size of
// `options.roomSizes`, one chat room of that many receivers and a sender
// (fanout.mjs's openRoom): on one node, and across two nodes through one
// Redis (receivers alternating between them, the sender on the first). The
// sender sends `chat:send` at the same number of deliveries a second for
// every size (`options.roomRate`; messages/s = roomRate / size), so every
// cell does the same work a second and only how it is cut into messages
// changes: CPU per delivery that rises with the size comes with the room
// (more sockets per message, each getting fewer messages), not with the
// load. Each cell opens a fresh room, warms it up
// unmeasured, measures one window (repeated when other processes took CPU
// meanwhile) and a short idle one, and closes every client of the room.
import { setTimeout as sleep } from 'node:timers/promises';
import { summary } from '../hist.mjs';
import { measured, round1, round3, window } from '../measure.mjs';
import { openRoom } from './fanout.mjs';

/**
 * `single` alone, and `nodes` (two) sharing `redis`, all already started and
 * pinned to the server core; the ones not being driven sit idle.
 */
export async function runRooms({ single, nodes, redis, variant, options, quiet, round }) {
  const topologies = [
    { count: 1, servers: [single], others: [] },
    { count: 2, servers: nodes, others: [redis] },
  ];
  // Odd rounds measure two nodes first at every size, so neither side is always the one after a room closed.
  if (round % 2) topologies.reverse();
  const cells = [];
  for (const size of options.roomSizes) for (const topology of topologies) cells.push(await runCell(size, topology));
  return { rate: options.roomRate, cells };

  async function runCell(size, { count, servers, others }) {
    const began = performance.now();
    const perSecond = options.roomRate / size;
    const messages = Math.max(1, Math.round((perSecond * options.roomMs) / 1000));
    // At least three messages: a 10,000-member room gets two a second.
    const warm = Math.max(3, Math.round((perSecond * options.roomWarmupMs) / 1000));
    const room = await openRoom({
      servers,
      variant,
      receivers: size,
      user: (i) => `room${round}-${count}-${size}-${i}`,
      maxMessages: Math.max(messages, warm) + 16,
    });
    try {
      room.reset();
      await room.send(perSecond, warm);
      const cell = await measured(
        quiet,
        async () => {
          room.reset();
          const measure = window([...servers, ...others]);
          const { complete, failed } = await room.send(perSecond, messages);
          const w = measure.stop();
          const { delivered, latency } = room.current;
          const nodesCpu = sum(w.cpu.slice(0, servers.length));
          const expected = messages * size;
          return {
            size,
            nodes: count,
            messagesPerSecond: round3(perSecond),
            messages,
            expected,
            delivered,
            missing: expected - delivered,
            sendFailures: failed,
            complete: complete && failed === 0 && delivered === expected,
            cpuPerDeliveryUs: round3((nodesCpu * 1000) / Math.max(1, delivered)),
            // redis-server apart (two nodes only); it is read in 10 ms ticks, so coarse.
            redisCpuPerDeliveryUs: others.length > 0 ? round3(((w.cpuTotal - nodesCpu) * 1000) / Math.max(1, delivered)) : undefined,
            cpuMs: w.cpu.map((ms) => round1(ms)),
            windowMs: round1(w.ms),
            serverCpuLoad: round3(nodesCpu / w.ms),
            generatorLoad: round3(w.generatorLoad),
            foreignLoad: round3(w.foreignLoad),
            coreBusy: w.coreBusy,
            latency: summary(latency),
          };
        },
        options,
      );
      // What the open room costs with nothing sent. Engine.IO's first ping to a socket comes 25 s after its
      // connect, so neither window sees the pings of a room this young (docs/benchmarks.md, "Cost as rooms grow").
      const idle = window(servers);
      await sleep(options.roomIdleMs);
      const i = idle.stop();
      cell.idleCpuMsPerS = round3((sum(i.cpu) * 1000) / i.ms);
      cell.seconds = round1((performance.now() - began) / 1000);
      return cell;
    } finally {
      room.close();
    }
  }
}

const sum = (values) => values.reduce((a, b) => a + b, 0);

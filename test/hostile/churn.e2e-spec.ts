import { ConnectionManager, SocketServerHost } from '../../src/core/websocket/internal.js';
import { PresenceService } from '../../src/modules/presence/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/cluster.js';
import { MiB, mib, settledHeap } from '../support/memory.js';
import type { RawClient } from '../support/raw-client.js';
import { connectWithRetry, pool, sleep } from '../soak/scenarios.js';

// Four waves in npm test; the soak (npm run soak) runs twenty.
const WAVES = Number(process.env.CHURN_WAVES ?? 4);
const PER_WAVE = Number(process.env.CHURN_CLIENTS ?? 1000);

/**
 * Waves of a thousand clients that connect, use the server a little and
 * leave (half politely, half by dropping the TCP connection). After each
 * wave every counter and registry entry is back to zero, and after the last
 * the heap is back within a few MB of where it was after the first.
 */
describe('connection churn', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({ PRESENCE_OFFLINE_GRACE_MS: '50', WS_MAX_CONNECTIONS_PER_USER: '2' });
  });
  afterAll(() => t.close());

  /** Everything that counts sockets, users or their rooms, on this node. */
  async function counters() {
    const server = t.app.get(SocketServerHost).server;
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    return {
      registry: await t.app.get(ConnectionManager).countConnections(),
      sockets: server.of('/').sockets.size,
      rooms: server.of('/').adapter.rooms.size,
      engineClients: (server.engine as unknown as { clientsCount: number }).clientsCount,
      graceTimers: t.app.get(PresenceService).pendingGraceCount,
      gauge: Number(/^realtime_sockets (\d+)$/m.exec(metrics)?.[1]),
    };
  }
  const zero = { registry: 0, sockets: 0, rooms: 0, engineClients: 0, graceTimers: 0, gauge: 0 };

  async function wave(n: number): Promise<number> {
    const started = Date.now();
    const users = Array.from({ length: PER_WAVE }, (_, i) => `churn-${i}`);
    const clients: RawClient[] = await pool(users, 100, async (user, i) => {
      const client = await connectWithRetry(() => t.url, user, { rooms: ['lobby', `room-${i % 20}`] }, Date.now() + 20_000);
      await client.request('chat:join', { roomId: `room-${i % 20}` });
      await client.request('presence:subscribe', { userIds: [`churn-${(i + 1) % PER_WAVE}`, `churn-${(i + 2) % PER_WAVE}`] });
      if (i % 10 === 0) await client.request('chat:send', { roomId: `room-${i % 20}`, text: `wave ${n}` });
      return client;
    });
    expect((await counters()).registry).toBe(PER_WAVE);
    clients.forEach((client, i) => (i % 2 === 0 ? client.close() : client.terminate()));
    await Promise.all(clients.map((client) => client.closed));
    await eventually(
      async () => JSON.stringify(await counters()) === JSON.stringify(zero),
      10_000,
      `wave ${n}: every counter back to zero`,
    );
    return Date.now() - started;
  }

  it(`${WAVES} waves of ${PER_WAVE} connect/disconnect: counters and registry back to zero each time, heap flat`, async () => {
    const times = [await wave(1)];
    // Per-socket rate-limit windows outlive their sockets by two seconds.
    await sleep(2500);
    const baseline = await settledHeap();
    for (let n = 2; n <= WAVES; n++) times.push(await wave(n));
    await sleep(2500);
    const after = await settledHeap();
    console.log(
      `churn: ${WAVES} waves of ${PER_WAVE} (${times.map((ms) => `${ms} ms`).join(', ')}), heap after wave 1 ${mib(baseline)}, after wave ${WAVES} ${mib(after)}, delta ${mib(after - baseline)}`,
    );
    expect(after - baseline).toBeLessThan(4 * MiB);
  }, 120_000);
});

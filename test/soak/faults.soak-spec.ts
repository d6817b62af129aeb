import { io, type Socket } from 'socket.io-client';
import { signToken } from '../support/app.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { freePort, startRedis, type TestRedis } from '../support/redis-server.js';
import { sleep } from './scenarios.js';

const DURATION_MS = Number(process.env.SOAK_FAULTS_MS ?? 600_000);
/** A fault every this long: Redis restarted, then node 2 restarted, and so on. */
const EVERY_MS = Number(process.env.SOAK_FAULT_EVERY_MS ?? 120_000);
const CLIENTS = 100;
const ROOM_SIZE = 10;
const RATE_PER_SEC = 50;
const SAMPLE_MS = 5000;

interface Sample {
  at: number;
  rss: number;
  heap: number;
  handles: number;
}

/** node 1's memory and handles, from its own /metrics. */
async function sample(node: NodeProcess): Promise<Sample> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    at: Date.now(),
    rss: value('process_resident_memory_bytes'),
    heap: value('nodejs_heap_size_used_bytes'),
    handles: value('nodejs_active_handles_total'),
  };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * The soak with faults (`npm run soak`): two node processes and one Redis,
 * steady chat traffic from 100 reconnecting clients, and every two minutes a
 * fault in turn: Redis restarted (empty), then node 2 drained and started
 * again. Node 1 lives through all of it; its RSS and heap must stay flat
 * (under 5 % growth from the first window after warm-up to the last, each
 * window's lowest sample, which is what a GC leaves; warm-up is the first
 * round of both faults), its handles (sockets,
 * timers) back where they were, no request answered INTERNAL, and the
 * traffic acknowledged again after every fault.
 */
describe('soak: traffic through Redis and node restarts', () => {
  let redis: TestRedis;
  let node1: NodeProcess;
  let node2: NodeProcess;
  let node2Port: number;
  const clients: Socket[] = [];
  const env = () => ({ REDIS_URL: redis.url, PRESENCE_HEARTBEAT_MS: '1000', WS_SHUTDOWN_GRACE_MS: '2000', LOG_LEVEL: 'warn' });

  beforeAll(async () => {
    redis = await startRedis();
    node2Port = await freePort();
    [node1, node2] = await Promise.all([
      startNodeProcess({ ...env(), NODE_ID: 'soak-1' }),
      startNodeProcess({ ...env(), NODE_ID: 'soak-2' }, node2Port),
    ]);
  }, 30_000);

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    for (const node of [node1, node2]) node?.kill('SIGKILL');
    await Promise.all([node1, node2].map((node) => node?.exited));
    await redis?.stop();
  });

  it(
    `${CLIENTS} clients, ${RATE_PER_SEC} messages/s for ${DURATION_MS / 60_000} min, a fault every ${EVERY_MS / 1000} s: memory flat, nothing INTERNAL`,
    async () => {
      const rooms = CLIENTS / ROOM_SIZE;
      const roomOf = new Map<Socket, string>();
      for (let i = 0; i < CLIENTS; i++) {
        const url = i % 2 === 0 ? node1.url : `http://127.0.0.1:${node2Port}`;
        const roomId = `soak-${i % rooms}`;
        const socket = io(url, {
          transports: ['websocket'],
          auth: { token: signToken(`user-${i}`, { rooms: [roomId] }) },
          reconnectionDelay: 200,
          reconnectionDelayMax: 2000,
        });
        // Every (re)connection joins the room again.
        socket.on(
          'connect',
          () =>
            void socket
              .timeout(10_000)
              .emitWithAck('chat:join', { roomId })
              .catch(() => undefined),
        );
        // A draining node closes its sockets itself, after which socket.io-client does not reconnect on its own.
        socket.on('disconnect', (reason) => {
          if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 200 + Math.random() * 1000);
        });
        roomOf.set(socket, roomId);
        clients.push(socket);
      }

      const outcomes: Record<string, number> = {};
      const samples: Sample[] = [];
      const faults: string[] = [];
      let lastOkAt = Date.now();
      let longestGapMs = 0;
      const started = Date.now();
      let sent = 0;

      const traffic = (async () => {
        while (Date.now() - started < DURATION_MS) {
          const socket = clients[sent++ % CLIENTS]!;
          if (socket.connected) {
            void socket
              .timeout(10_000)
              .emitWithAck('chat:send', { roomId: roomOf.get(socket), text: `soak ${sent}` })
              .then(
                (reply: { ok: boolean; error?: { code: string } }) => {
                  const outcome = reply.ok ? 'ok' : reply.error!.code;
                  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
                  if (reply.ok) {
                    longestGapMs = Math.max(longestGapMs, Date.now() - lastOkAt);
                    lastOkAt = Date.now();
                  }
                },
                () => (outcomes.noAnswer = (outcomes.noAnswer ?? 0) + 1),
              );
          }
          await sleep(1000 / RATE_PER_SEC);
        }
      })();
      const sampler = (async () => {
        while (Date.now() - started < DURATION_MS) {
          samples.push(await sample(node1));
          await sleep(SAMPLE_MS);
        }
      })();
      const injector = (async () => {
        for (let k = 1; started + k * EVERY_MS < started + DURATION_MS - 30_000; k++) {
          await sleep(started + k * EVERY_MS - Date.now());
          if (k % 2 === 1) {
            faults.push(`${Math.round((Date.now() - started) / 1000)} s: Redis restarted`);
            await redis.kill();
            await sleep(1000);
            await redis.start();
          } else {
            faults.push(`${Math.round((Date.now() - started) / 1000)} s: node 2 drained and restarted`);
            node2.kill('SIGTERM');
            await node2.exited;
            node2 = await startNodeProcess({ ...env(), NODE_ID: 'soak-2' }, node2Port);
          }
        }
      })();
      await Promise.all([traffic, sampler, injector]);
      await sleep(3000);

      // Windows of EVERY_MS. Warm-up lasts until each kind of fault has happened once (the first of each
      // compiles its code paths and sizes its buffers); a leak shows as growth over the repeats after it.
      // Each window's lowest sample is what a GC leaves.
      const windows: Sample[][] = [];
      for (const s of samples) (windows[Math.floor((s.at - started) / EVERY_MS)] ??= []).push(s);
      // Whole windows only: a last one of a few samples says little.
      if (windows.length > 2 && windows.at(-1)!.length < EVERY_MS / SAMPLE_MS / 2) windows.pop();
      const floor = (window: Sample[], key: 'rss' | 'heap') => Math.min(...window.map((s) => s[key]));
      const [first, last] = [windows[Math.min(3, windows.length - 1)]!, windows.at(-1)!];
      const growth = (key: 'rss' | 'heap') => floor(last, key) / floor(first, key) - 1;
      const handles = samples.map((s) => s.handles);
      console.log(
        [
          `soak with faults: ${DURATION_MS / 1000} s, ${sent} sends, outcomes ${JSON.stringify(outcomes)}, longest gap between acknowledged sends ${longestGapMs} ms`,
          `faults: ${faults.join('; ')}`,
          `node 1 RSS floor per window: ${windows.map((w) => mib(floor(w, 'rss'))).join(', ')} (growth after warm-up ${(growth('rss') * 100).toFixed(1)} %)`,
          `node 1 heap floor per window: ${windows.map((w) => mib(floor(w, 'heap'))).join(', ')} (growth after warm-up ${(growth('heap') * 100).toFixed(1)} %)`,
          `node 1 active handles: first ${handles[0]}, after warm-up ${first[0]!.handles}, last ${handles.at(-1)}, max ${Math.max(...handles)}`,
        ].join('\n'),
      );
      expect(outcomes.INTERNAL ?? 0).toBe(0);
      expect(outcomes.ok).toBeGreaterThan(0);
      expect(growth('rss')).toBeLessThan(0.05);
      expect(growth('heap')).toBeLessThan(0.05);
      // Sockets and timers come back to what they were: nothing leaks per fault.
      expect(handles.at(-1)!).toBeLessThanOrEqual(first[0]!.handles + 10);
      // Traffic is acknowledged again after every fault.
      expect(Date.now() - lastOkAt).toBeLessThan(10_000);
    },
    DURATION_MS + 120_000,
  );
});

import type { Socket } from 'socket.io-client';
import { openClient, ready, signToken, startApp, type TestApp } from './support/app.js';
import { eventually } from './support/cluster.js';
import { startFaultProxy, type Fault, type FaultProxy } from './support/fault-proxy.js';
import { startRedis, type TestRedis } from './support/redis-server.js';

/** How long each fault lasts. */
const FAULT_MS = Number(process.env.CHAOS_FAULT_MS ?? 10_000);
/** The longest a request may take, fault or not: the Redis commands' 3 s timeout, and a margin for the machine. */
const ANSWER_WITHIN_MS = 4500;
const GRACE_MS = 1000;

interface Reply {
  ok: boolean;
  data?: any;
  error?: { code: string; details?: { retryAfterMs?: number } };
}

/**
 * Two nodes reach one Redis through a proxy that injects the faults
 * production has (latency, a hang, resets, half-open connections), under
 * steady chat and presence traffic. Through each fault and after it heals:
 * no crash, every request answered within its bound with `ok` or
 * `UNAVAILABLE`, nothing acknowledged lost, nothing delivered twice,
 * presence right within the grace period, and cross-node delivery back
 * within 5 s.
 */
describe('chaos between the nodes and Redis (e2e)', () => {
  let redis: TestRedis;
  let proxy: FaultProxy;
  let nodes: TestApp[] = [];
  const sockets: Socket[] = [];

  const connect = async (node: TestApp, userId: string): Promise<Socket> => {
    const socket = openClient(node.url, { token: signToken(userId, { rooms: ['general'] }) });
    sockets.push(socket);
    return ready(socket);
  };
  const ask = async (socket: Socket, event: string, body: unknown): Promise<Reply & { ms: number }> => {
    const started = Date.now();
    const reply = (await socket.timeout(10_000).emitWithAck(event, body)) as Reply;
    return { ...reply, ms: Date.now() - started };
  };

  beforeAll(async () => {
    redis = await startRedis();
    proxy = await startFaultProxy(redis.port);
    const env = { REDIS_URL: proxy.url, PRESENCE_HEARTBEAT_MS: '500', PRESENCE_OFFLINE_GRACE_MS: String(GRACE_MS), LOG_LEVEL: 'error' };
    nodes = [await startApp({ ...env, NODE_ID: 'n1' }), await startApp({ ...env, NODE_ID: 'n2' })];
  });

  afterAll(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    for (const node of nodes) await node.close();
    await proxy?.stop();
    await redis?.stop();
  });

  const faults: Array<[string, Fault]> = [
    ['500 ms of latency each way', { kind: 'latency', ms: 500 }],
    ['a hang (blackhole)', { kind: 'blackhole' }],
    ['connection resets', { kind: 'reset' }],
    ['half-open connections', { kind: 'half-open' }],
  ];

  it.each(faults)(
    'rides out %s',
    async (_, fault) => {
      const [n1, n2] = nodes as [TestApp, TestApp];
      const alice = await connect(n1, 'alice');
      const bob = await connect(n2, 'bob');
      for (const socket of [alice, bob]) expect((await ask(socket, 'chat:join', { roomId: 'general' })).ok).toBe(true);
      const delivered = new Map<string, number>();
      bob.on('chat:message', (message: { id: string }) => delivered.set(message.id, (delivered.get(message.id) ?? 0) + 1));

      // Steady traffic: alice sends (with a clientMsgId) and bob asks for her presence, each every 100 ms.
      const acknowledged: string[] = [];
      const outcomes: Record<string, number> = {};
      const slow: Array<{ event: string; ms: number }> = [];
      let running = true;
      let sequence = 0;
      const record = (event: string, reply: Reply & { ms: number }) => {
        const outcome = reply.ok ? 'ok' : reply.error!.code;
        outcomes[`${event} ${outcome}`] = (outcomes[`${event} ${outcome}`] ?? 0) + 1;
        if (reply.ms > ANSWER_WITHIN_MS) slow.push({ event, ms: reply.ms });
        if (!reply.ok) expect(reply.error).toEqual({ code: 'UNAVAILABLE', message: expect.any(String), details: { retryAfterMs: 1000 } });
      };
      const traffic = (async () => {
        while (running) {
          const text = `m${++sequence}`;
          const [sent, query] = await Promise.all([
            ask(alice, 'chat:send', { roomId: 'general', text, clientMsgId: `${fault.kind}-${sequence}` }),
            ask(bob, 'presence:query', { userIds: ['alice'] }),
            new Promise((resolve) => setTimeout(resolve, 100)),
          ]);
          record('chat:send', sent);
          record('presence:query', query);
          if (sent.ok) acknowledged.push(sent.data.id);
        }
      })();

      await new Promise((resolve) => setTimeout(resolve, 1000));
      proxy.set(fault);
      await new Promise((resolve) => setTimeout(resolve, FAULT_MS));
      proxy.set({ kind: 'none' });
      const healedAt = Date.now();

      // Cross-node delivery is back within 5 s: a message alice sends now reaches bob on the other node.
      await eventually(
        async () => {
          const fence = await ask(alice, 'chat:send', { roomId: 'general', text: 'fence' });
          if (!fence.ok) return false;
          const deadline = Date.now() + 500;
          while (Date.now() < deadline && !delivered.has(fence.data.id)) await new Promise((resolve) => setTimeout(resolve, 20));
          return delivered.has(fence.data.id);
        },
        5000,
        'a message from node 1 delivered on node 2 after healing',
      );
      const recoveredMs = Date.now() - healedAt;
      running = false;
      await traffic;

      // Presence is right within the grace period: alice never left.
      await eventually(
        async () => (await ask(bob, 'presence:query', { userIds: ['alice'] })).data?.presence[0].status === 'online',
        GRACE_MS + 2000,
        'alice online, seen from node 2',
      );
      // Nothing acknowledged is lost: every ok send is in the history.
      const history = await ask(bob, 'chat:history', { roomId: 'general', limit: 100 });
      expect(history.ok).toBe(true);
      const kept = new Set((history.data.messages as Array<{ id: string }>).map((message) => message.id));
      expect(acknowledged.slice(-90).filter((id) => !kept.has(id))).toEqual([]);
      // Nothing delivered twice.
      expect([...delivered.values()].filter((count) => count > 1)).toEqual([]);
      // Every request answered within its bound, with ok or UNAVAILABLE (checked as they came).
      expect(slow).toEqual([]);
      expect(outcomes['chat:send ok']).toBeGreaterThan(0);
      console.log(`chaos, ${fault.kind}: ${JSON.stringify(outcomes)}; cross-node delivery back ${recoveredMs} ms after healing`);

      alice.disconnect();
      bob.disconnect();
    },
    FAULT_MS + 30_000,
  );
});

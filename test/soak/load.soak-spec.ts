import { rssOf, mib } from '../support/memory.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { describeLoad, runLoad } from './scenarios.js';

const DURATION_MS = Number(process.env.SOAK_LOAD_MS ?? 120_000);

/**
 * The long load run (`npm run soak`): 500 clients in rooms of 10 spanning two
 * node processes, 250 messages a second for 2 minutes. Prints the figures;
 * fails on any lost, duplicated or failed message.
 */
describe('soak: load across two nodes', () => {
  let redis: TestRedis;
  let nodes: NodeProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    nodes = await Promise.all(['soak-1', 'soak-2'].map((id) => startNodeProcess({ REDIS_URL: redis.url, NODE_ID: id })));
  }, 30_000);

  afterAll(async () => {
    for (const node of nodes) node.kill('SIGKILL');
    await Promise.all(nodes.map((node) => node.exited));
    await redis?.stop();
  });

  it(
    `500 clients, 250 messages/s for ${DURATION_MS / 1000} s: nothing lost or duplicated`,
    async () => {
      const rssBefore = await Promise.all(nodes.map((node) => rssOf(node.child.pid!)));
      const result = await runLoad({ urls: nodes.map((n) => n.url), clients: 500, roomSize: 10, ratePerSec: 250, durationMs: DURATION_MS });
      const rssAfter = await Promise.all(nodes.map((node) => rssOf(node.child.pid!)));
      console.log(`${describeLoad(result)}\nnode RSS: ${nodes.map((_, i) => `${mib(rssBefore[i]!)} -> ${mib(rssAfter[i]!)}`).join(', ')}`);
      expect(result.failed).toBe(0);
      expect(result.lost).toBe(0);
      expect(result.duplicated).toBe(0);
      expect(result.unacked).toBe(0);
      expect(result.sent).toBeGreaterThanOrEqual(Math.floor((250 * DURATION_MS * 0.95) / 1000));
    },
    DURATION_MS + 120_000,
  );
});

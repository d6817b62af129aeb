import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { describeLoad, runLoad } from '../soak/scenarios.js';

/**
 * The bounded load run of `npm test`: 500 clients in rooms of 10 spanning two
 * node processes, 250 messages a second for 10 s (the 2-minute run is in
 * `npm run soak`). Every member is present the whole time, so it must get
 * every message acked in its room exactly once.
 */
describe('load across two nodes (10 s)', () => {
  let redis: TestRedis;
  let nodes: NodeProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    nodes = await Promise.all(['load-1', 'load-2'].map((id) => startNodeProcess({ REDIS_URL: redis.url, NODE_ID: id })));
  }, 30_000);

  afterAll(async () => {
    for (const node of nodes) node.kill('SIGKILL');
    await Promise.all(nodes.map((node) => node.exited));
    await redis?.stop();
  });

  it('loses and duplicates no acked message for members present the whole time', async () => {
    const result = await runLoad({ urls: nodes.map((n) => n.url), clients: 500, roomSize: 10, ratePerSec: 250, durationMs: 10_000 });
    console.log(describeLoad(result));
    expect(result.failed).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.unacked).toBe(0);
    expect(result.sent).toBeGreaterThanOrEqual(250 * 9.5);
    expect(result.deliveries).toBe(result.acked * 9);
    for (const node of nodes) expect(node.output()).not.toMatch(/unhandled|RangeError/i);
  }, 90_000);
});

import { io, type Socket } from 'socket.io-client';
import { signToken } from './support/app.js';
import { nextEvent, request } from './support/events.js';
import { startBalancer, type TestBalancer } from './support/haproxy.js';
import { startNodeProcess, type NodeProcess } from './support/node-process.js';
import { startRedis, type TestRedis } from './support/redis-server.js';

/** The docker-compose topology (Redis, two nodes, the HAProxy config) run as local processes. */
describe('two nodes behind the load balancer', () => {
  let redis: TestRedis;
  let nodes: NodeProcess[] = [];
  let balancer: TestBalancer;
  const clients: Socket[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    nodes = await Promise.all(['app1', 'app2'].map((id) => startNodeProcess({ REDIS_URL: redis.url, NODE_ID: id })));
    balancer = await startBalancer({ app1: nodes[0]!.url.replace('http://', ''), app2: nodes[1]!.url.replace('http://', '') });
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await balancer?.stop();
    await Promise.all(nodes.map((node) => node.stop()));
    await redis?.stop();
  });

  const connect = (userId: string, transports: string[]) => {
    const client = io(balancer.url, {
      auth: { token: signToken(userId, { rooms: ['lobby'] }) },
      transports: transports as never,
      withCredentials: true,
      reconnection: false,
      forceNew: true,
    });
    clients.push(client);
    return new Promise<{ client: Socket; ready: { socketId: string } }>((resolve, reject) => {
      client.once('session:ready', (ready) => resolve({ client, ready }));
      client.once('connect_error', reject);
    });
  };

  it('serves WebSocket clients through the balancer on both nodes, and a room spans them', async () => {
    // leastconn spreads the first connections over both nodes.
    const members = await Promise.all(['u1', 'u2', 'u3', 'u4'].map((user) => connect(user, ['websocket'])));
    for (const node of nodes) {
      const metrics = await (await fetch(`${node.url}/metrics`)).text();
      expect(Number(/^realtime_sockets (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    }
    for (const { client } of members) expect((await request(client, 'chat:join', { roomId: 'lobby' })).ok).toBe(true);
    const [sender, ...others] = members;
    const got = others.map(({ client }) => nextEvent(client, 'chat:message'));
    const sent = await request(sender!.client, 'chat:send', { roomId: 'lobby', text: 'through the balancer' });
    expect(sent.ok).toBe(true);
    for (const message of await Promise.all(got)) expect(message).toMatchObject({ text: 'through the balancer', userId: 'u1' });
  });

  it('keeps a long-polling client on one node (sticky cookie) through the handshake and the upgrade', async () => {
    const { client } = await connect('poller', ['polling', 'websocket']);
    expect((await request(client, 'chat:join', { roomId: 'lobby' })).ok).toBe(true);
    expect((await request(client, 'chat:history', { roomId: 'lobby' })).ok).toBe(true);
    expect(client.io.engine.transport.name === 'websocket' || client.io.engine.transport.name === 'polling').toBe(true);
  });

  it('keeps a polling-only client working over many requests', async () => {
    const { client } = await connect('polling-only', ['polling']);
    for (let i = 0; i < 10; i++) expect((await request(client, 'presence:query', { userIds: ['u1'] })).ok).toBe(true);
  });
});

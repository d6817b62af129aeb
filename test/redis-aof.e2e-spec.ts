import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage } from '../src/modules/chat/index.js';
import { startApp, type TestApp } from './support/app.js';
import { eventually } from './support/cluster.js';
import { request } from './support/events.js';
import { launchRedis, type TestRedis } from './support/redis-server.js';

/*
 * The reference deployment's Redis (docker-compose.yml): AOF fsynced every
 * second. A Redis killed without warning and started again from its files
 * still holds every message acknowledged more than a second before.
 */
describe('chat history across a Redis crash with AOF (e2e)', () => {
  let dir: string;
  let redis: TestRedis;
  let node: TestApp;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nest-realtime-aof-'));
    // The kit's own flags turn persistence off; these, later on the command line, win.
    redis = await launchRedis('the AOF suite', { args: ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec'] });
    node = await startApp({ REDIS_URL: redis.url, NODE_ID: 'aof' });
  });

  afterAll(async () => {
    await node?.close();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every message acknowledged over a second before the kill', async () => {
    const socket = await node.connect('ann', { claims: { rooms: ['*'] } });
    expect(await request(socket, 'chat:join', { roomId: 'ops' })).toMatchObject({ ok: true });
    const sent: ChatMessage[] = [];
    for (let i = 0; i < 50; i++) {
      const reply = await request(socket, 'chat:send', { roomId: 'ops', text: `m${i}` });
      expect(reply).toMatchObject({ ok: true });
      sent.push(reply.data as ChatMessage);
    }
    // Past the one-second fsync of everysec.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await redis.kill();
    await redis.start();
    let messages: ChatMessage[] = [];
    await eventually(
      async () => {
        const reply = await request(socket, 'chat:history', { roomId: 'ops', limit: 100 });
        if (!reply.ok) return false;
        messages = reply.data.messages as ChatMessage[];
        return true;
      },
      10000,
      'history answers again',
    );
    expect(messages.map((message) => message.id)).toEqual(sent.map((message) => message.id));
    socket.disconnect();
  }, 30000);
});

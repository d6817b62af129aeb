import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  createRealtimePublisher,
  InjectRealtimePublisher,
  REALTIME_PUBLISHER,
  RealtimePublisherModule,
  type RealtimePublisher,
} from 'nest-realtime/publisher';
import { startApp, type TestApp } from './support/app.js';
import { eventually, REDIS_MODES, redisEnv } from './support/cluster.js';
import { nextEvent } from './support/events.js';
import { startRedis } from './support/redis-server.js';

/** A job of a worker app: it holds no sockets, only the publisher. */
@Injectable()
class ExportJob {
  constructor(@InjectRealtimePublisher() private readonly publisher: RealtimePublisher) {}

  async finished(userId: string, url: string): Promise<void> {
    await this.publisher.toUser(userId).emit('notification', { type: 'export.ready', data: { url } });
  }
}

describe.each(REDIS_MODES)('a Nest worker with RealtimePublisherModule, through %s (e2e)', (mode) => {
  let redis: Awaited<ReturnType<typeof redisEnv>>;
  let node: TestApp;

  beforeAll(async () => {
    redis = await redisEnv(mode);
    node = await startApp({ ...redis.env, NODE_ID: 'node' });
  });

  afterAll(async () => {
    await node?.close();
    await redis?.stop();
  });

  it('pushes a validated notification to a user connected to a node, and closes its connections with the app', async () => {
    @Module({
      imports: [RealtimePublisherModule.forRoot({ redis: redis.option })],
      providers: [ExportJob],
    })
    class WorkerModule {}
    const worker = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
    const alice = await node.connect('alice');
    try {
      const arriving = nextEvent(alice, 'notification');
      await worker.get(ExportJob).finished('alice', 'https://example.com/export.csv');
      expect(await arriving).toEqual({
        id: expect.any(String),
        type: 'export.ready',
        data: { url: 'https://example.com/export.csv' },
        createdAt: expect.any(String),
      });
      const publisher = worker.get<RealtimePublisher>(REALTIME_PUBLISHER);
      await expect(publisher.toUser('alice').emit('notification', { type: 'Bad Type', data: {} })).rejects.toThrow(
        'does not match its schema',
      );
    } finally {
      alice.disconnect();
      await worker.close();
    }
    // Closed with the app (onApplicationShutdown).
    await expect(
      worker.get<RealtimePublisher>(REALTIME_PUBLISHER).toUser('alice').emit('notification', { type: 'x.y', data: {} }),
    ).rejects.toThrow('The publisher is closed');
  });
});

describe('a publisher started while Redis is down (e2e)', () => {
  it('starts, refuses to push until Redis comes instead of dropping the push, then delivers', async () => {
    const redis = await startRedis();
    await redis.kill();
    const publisher = await createRealtimePublisher({ redis: { url: redis.url, connectTimeoutMs: 300 } });
    let node: TestApp | undefined;
    try {
      await expect(publisher.toUser('alice').emit('notification', { type: 'export.ready', data: {} })).rejects.toThrow(
        'Redis is unreachable: the push was not sent',
      );
      await redis.start();
      node = await startApp({ REDIS_URL: redis.url, NODE_ID: 'node' });
      const alice = await node.connect('alice');
      const arriving = nextEvent(alice, 'notification');
      await eventually(
        () =>
          publisher
            .toUser('alice')
            .emit('notification', { type: 'export.ready', data: {} })
            .then(
              () => true,
              () => false,
            ),
        5000,
        'a push accepted',
      );
      expect(await arriving).toMatchObject({ type: 'export.ready' });
    } finally {
      await publisher.close();
      await node?.close();
      await redis.stop();
    }
  });
});

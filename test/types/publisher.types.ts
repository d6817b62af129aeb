/**
 * Compile-time checks of the publisher's typing; nothing here runs.
 * `npm run typecheck` compiles this file: every `@ts-expect-error` line must fail
 * to compile and every other line must compile, or the typecheck fails.
 */
import { z } from 'zod';
import { defineContract, type MergeContracts } from 'nest-realtime';
import type { NotificationsContract } from 'nest-realtime/client';
import { createRealtimePublisher } from 'nest-realtime/publisher';

const todoContract = defineContract({
  requests: {},
  pushes: { 'todo:done': { summary: 'A todo was done', payload: z.object({ id: z.string(), doneAt: z.string() }) } },
});

export async function publish(): Promise<void> {
  const publisher = await createRealtimePublisher<MergeContracts<[NotificationsContract, typeof todoContract]>>({
    redis: { url: 'redis://127.0.0.1:6379' },
    contracts: [todoContract],
  });
  await publisher.toUser('alice').emit('todo:done', { id: '1', doneAt: 'now' });
  await publisher.toUsers(['alice', 'bob']).emit('notification', { type: 'export.ready', data: { url: 'x' } });
  await publisher.toRoom('ops').emit('notification', { type: 'deploy.done', data: {} });
  // @ts-expect-error the payload of a push is its contract's
  await publisher.toUser('alice').emit('todo:done', { id: 1 });
  // @ts-expect-error an event no contract of the publisher declares
  await publisher.toUser('alice').emit('todo:gone', {});
  // @ts-expect-error a notification is given as { type, data }; the publisher adds id and createdAt
  await publisher.toUser('alice').emit('notification', { type: 'x.y' });

  const builtIn = await createRealtimePublisher({ redis: { clusterNodes: [{ host: '127.0.0.1', port: 7000 }] } });
  await builtIn.toUser('alice').emit('notification', { type: 'x.y', data: {} });
  // @ts-expect-error without the app's contracts, only notification
  await builtIn.toUser('alice').emit('todo:done', { id: '1', doneAt: 'now' });
}

import { RealtimeEmitter, SocketServerHost } from '../../src/core/websocket/internal.js';
import type { TestApp } from '../support/app.js';
import { MiB, mib, settledHeap } from '../support/memory.js';
import { closeAll, connectRaw, type RawClient } from '../support/raw-client.js';
import { startAppWith, until } from './hostile-app.js';

const LIMIT = 256 * 1024;
const CHUNK = 'x'.repeat(16 * 1024);

/** A client that stops reading is cut off once its outgoing queue passes the bound, instead of growing the server's memory. */
describe('slow consumers', () => {
  let t: TestApp;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    t = await startAppWith({ maxOutgoingBufferBytes: LIMIT });
  });
  afterEach(() => closeAll(clients.splice(0)));
  afterAll(() => t.close());

  const connect = async (userId: string) => {
    const client = (await connectRaw(t.url, { token: t.token(userId) })).quiet();
    clients.push(client);
    return client;
  };
  const serverSocketOf = (client: RawClient) => t.app.get(SocketServerHost).server.of('/').sockets.get(client.socketId!);

  /** Pushes 16 KiB notifications to `userId`, one per turn of the event loop, until `stop()` or `maxBytes`. */
  const push = async (userId: string, maxBytes: number, stop: () => boolean): Promise<number> => {
    const emitter = t.app.get(RealtimeEmitter);
    let sent = 0;
    while (sent < maxBytes && !stop()) {
      emitter.toUser(userId).emit('notification', { id: String(sent), type: 'test', data: CHUNK, createdAt: '' });
      sent += CHUNK.length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return sent;
  };

  it('disconnects a client that stopped reading once its queue passes the bound, and only that client', async () => {
    const stalled = await connect('stalled');
    const healthy = await connect('healthy');
    let received = 0;
    healthy.on('notification', () => received++);
    const socket = serverSocketOf(stalled)!;
    const reason = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    // Stop reading: the kernel buffers fill, then the server's queue grows.
    stalled.ws.pause();
    const before = await settledHeap();
    const sent = await push('stalled', 256 * MiB, () => socket.disconnected);
    expect(socket.disconnected).toBe(true);
    expect(['transport close', 'transport error']).toContain(await reason);
    // The loopback kernel buffers take several MiB before the server queues anything.
    console.log(`slow consumer: cut after ${mib(sent)} pushed (queue bound ${mib(LIMIT)})`);
    expect(sent).toBeLessThan(64 * MiB);
    const after = await settledHeap();
    expect(after - before).toBeLessThan(8 * MiB);

    // The reader next to it is served the whole time and afterwards.
    const more = await push('healthy', 4 * MiB, () => false);
    await until(() => received * CHUNK.length >= more, 10_000, 'the healthy client got everything');
    expect(healthy.isOpen).toBe(true);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^realtime_slow_consumer_disconnects_total 1$/m);
  });

  it('keeps a client that reads, however much it is sent', async () => {
    const reader = await connect('reader');
    let received = 0;
    reader.on('notification', () => received++);
    const sent = await push('reader', 32 * MiB, () => false);
    await until(() => received * CHUNK.length >= sent, 20_000, 'the reader got everything');
    expect(serverSocketOf(reader)?.connected).toBe(true);
  });
});

import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type * as SocketIoAdapter from 'socket.io-adapter';
import { withSingleWriteFrames } from './single-write-frames.js';

const { Adapter } = createRequire(import.meta.url)('socket.io-adapter') as typeof SocketIoAdapter;

type Encoding = { _encode(packet: unknown, opts: { wsPreEncodedFrame?: Buffer[] }): unknown[] };

const encode = (server: Server, packet: unknown) => {
  const opts: { wsPreEncodedFrame?: Buffer[] } = {};
  const encoded = (server.of('/').adapter as unknown as Encoding)._encode(packet, opts);
  return { encoded, frame: opts.wsPreEncodedFrame };
};

describe('withSingleWriteFrames', () => {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('hands every receiver of a broadcast one buffer: the WebSocket frame, header and payload joined', () => {
    const server = new Server({ adapter: withSingleWriteFrames() });
    const { frame } = encode(server, { type: 2, nsp: '/', data: ['chat:message', { text: 'hi' }] });
    const payload = '42["chat:message",{"text":"hi"}]';
    expect(frame).toHaveLength(1);
    // FIN + text opcode, unmasked 7-bit length, then Engine.IO `4` + the Socket.IO packet.
    expect(frame![0]).toEqual(Buffer.concat([Buffer.from([0x81, payload.length]), Buffer.from(payload)]));
  });

  it('leaves a packet with binary attachments as socket.io encodes it (no ready-made frame)', () => {
    const server = new Server({ adapter: withSingleWriteFrames() });
    const { encoded, frame } = encode(server, { type: 2, nsp: '/', data: ['file', Buffer.from([1, 2, 3])] });
    expect(encoded).toHaveLength(2);
    expect(frame).toBeUndefined();
  });

  it('wraps a cluster adapter factory: the instance is the factory’s, with its own methods', () => {
    class Marked extends Adapter {
      readonly marked = true;
    }
    // socket.io calls the option with `new`, so a factory is a function, not an arrow.
    const server = new Server({ adapter: withSingleWriteFrames(function (nsp) { return new Marked(nsp); }) });
    expect(server.of('/').adapter).toBeInstanceOf(Marked);
    expect(encode(server, { type: 2, nsp: '/', data: ['e', 1] }).frame).toHaveLength(1);
  });

  it('delivers a room broadcast over WebSocket and long-polling alike, intact', async () => {
    const http = createServer();
    const server = new Server(http, { adapter: withSingleWriteFrames() });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    // Clients first (a long-polling client's goodbye is one more request), then the server.
    closers.push(() => new Promise((resolve) => setTimeout(resolve, 50)), () => new Promise((resolve) => server.close(resolve)));
    server.on('connection', (socket) => void socket.join('room'));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const open = (transports: Array<'websocket' | 'polling'>) =>
      new Promise<ClientSocket>((resolve, reject) => {
        const client = connect(url, { transports, reconnection: false, forceNew: true });
        closers.unshift(() => client.close());
        client.once('connect', () => resolve(client));
        client.once('connect_error', reject);
      });
    const clients = [await open(['websocket']), await open(['websocket']), await open(['polling'])];
    await new Promise((resolve) => setTimeout(resolve, 20));
    const received = clients.map((client) => new Promise((resolve) => client.once('chat:message', resolve)));
    const message = { text: 'héllo, wörld ✓', n: [1, 2, 3], long: 'x'.repeat(70_000) };
    server.to('room').emit('chat:message', message);
    for (const got of await Promise.all(received)) expect(got).toEqual(message);
  });
});

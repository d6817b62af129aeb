import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type * as SocketIoAdapter from 'socket.io-adapter';
import { WebSocket } from 'ws';
import { MAX_JOINED_FRAME_BYTES, SingleWriteWebSocketServer, withSingleWriteFrames } from './single-write-frames.js';

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
    const server = new Server({
      adapter: withSingleWriteFrames(function (nsp) {
        return new Marked(nsp);
      }),
    });
    expect(server.of('/').adapter).toBeInstanceOf(Marked);
    expect(encode(server, { type: 2, nsp: '/', data: ['e', 1] }).frame).toHaveLength(1);
  });

  it('delivers a room broadcast over WebSocket and long-polling alike, intact', async () => {
    const http = createServer();
    const server = new Server(http, { adapter: withSingleWriteFrames(), wsEngine: SingleWriteWebSocketServer });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    // Clients first (a long-polling client's goodbye is one more request), then the server.
    closers.push(
      () => new Promise((resolve) => setTimeout(resolve, 50)),
      () => new Promise((resolve) => server.close(resolve)),
    );
    server.on('connection', (socket) => {
      void socket.join('room');
      socket.on('echo', (body: unknown, ack: (reply: unknown) => void) => ack(body));
    });
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
    // Replies to one socket, small and large, on either transport.
    for (const client of clients) {
      for (const body of [{ n: 1 }, message]) expect(await client.timeout(2000).emitWithAck('echo', body)).toEqual(body);
    }
  });
});

describe('SingleWriteWebSocketServer', () => {
  let wss: SingleWriteWebSocketServer;
  let http: ReturnType<typeof createServer>;
  const sockets: WebSocket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    wss?.close();
    await new Promise((resolve) => http?.close(resolve));
  });

  /** A server-side WebSocket whose writes to its TCP socket are recorded, and the client at the other end. */
  const connected = async () => {
    http = createServer();
    wss = new SingleWriteWebSocketServer({ noServer: true });
    const accepted = new Promise<WebSocket>((resolve) =>
      http.on('upgrade', (request, socket, head) => wss.handleUpgrade(request, socket, head, resolve)),
    );
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
    sockets.push(client);
    await new Promise((resolve) => client.once('open', resolve));
    const server = await accepted;
    sockets.push(server);
    const tcp = (server as unknown as { _socket: { write: (chunk: Buffer, ...args: unknown[]) => boolean } })._socket;
    const writes: Buffer[] = [];
    const write = tcp.write;
    tcp.write = function (chunk: Buffer, ...rest: unknown[]) {
      writes.push(chunk);
      return write.call(this, chunk, ...rest);
    };
    const next = () =>
      new Promise<{ data: Buffer; binary: boolean }>((resolve) =>
        client.once('message', (data: Buffer, binary) => resolve({ data, binary })),
      );
    return { server, writes, next };
  };

  it('writes a small text or binary message as one buffer: the frame, byte for byte', async () => {
    const { server, writes, next } = await connected();
    const text = 'héllo, wörld ✓';
    let received = next();
    server.send(text);
    expect((await received).data.toString()).toBe(text);
    expect(writes).toEqual([Buffer.concat([Buffer.from([0x81, Buffer.byteLength(text)]), Buffer.from(text)])]);

    writes.length = 0;
    received = next();
    server.send(Buffer.from([1, 2, 3]));
    expect(await received).toEqual({ data: Buffer.from([1, 2, 3]), binary: true });
    expect(writes).toEqual([Buffer.from([0x82, 3, 1, 2, 3])]);
  });

  it('writes a message larger than the limit as ws frames it: header, then payload', async () => {
    const { server, writes, next } = await connected();
    const text = 'ü'.repeat(MAX_JOINED_FRAME_BYTES / 2 + 1);
    const received = next();
    server.send(text);
    expect((await received).data.toString()).toBe(text);
    expect(writes).toHaveLength(2);
    expect(writes[0]).toEqual(Buffer.from([0x81, 126, 0x40, 0x02]));

    writes.length = 0;
    const long = next();
    server.send('a'.repeat(MAX_JOINED_FRAME_BYTES + 1));
    expect((await long).data).toHaveLength(MAX_JOINED_FRAME_BYTES + 1);
    expect(writes).toHaveLength(2);
  });
});

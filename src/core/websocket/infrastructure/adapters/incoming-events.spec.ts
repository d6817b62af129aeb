import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type { RealtimeSocket } from '../../application/interfaces/realtime-socket.interface.js';
import { incomingEvents } from './incoming-events.js';

/** A real Socket.IO server whose sockets are attached to the hook, and a real client. */
async function start(dispatch: (socket: RealtimeSocket, args: unknown[]) => void) {
  const http = createServer();
  const server = new Server(http);
  const attach = incomingEvents(dispatch);
  const heard: unknown[][] = [];
  server.on('connection', (socket) => {
    attach(socket as unknown as RealtimeSocket);
    socket.on('test:echo', (...args: unknown[]) => heard.push(args));
    socket.onAny((...args: unknown[]) => heard.push(args));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const client: ClientSocket = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'] });
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  return {
    client,
    heard,
    close: async () => {
      client.close();
      await server.close();
    },
  };
}

describe('incomingEvents', () => {
  it('hands an event and its ack to dispatch, and the ack answers the client', async () => {
    const t = await start((socket, args) => {
      const ack = args[args.length - 1] as (reply: unknown) => void;
      ack({ event: args[0], body: args[1], from: socket.id });
    });
    try {
      const reply = await t.client.emitWithAck('test:echo', { text: 'hi' });
      expect(reply).toEqual({ event: 'test:echo', body: { text: 'hi' }, from: expect.any(String) });
    } finally {
      await t.close();
    }
  });

  it('hands an event without an ack over as [event, ...body], and to nothing else', async () => {
    const received: unknown[][] = [];
    let arrived!: () => void;
    const done = new Promise<void>((resolve) => (arrived = resolve));
    const t = await start((_socket, args) => {
      received.push(args);
      arrived();
    });
    try {
      t.client.emit('test:echo', 1, 'two');
      await done;
      // Socket.IO would have called the listeners by the next tick; they must stay silent.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received).toEqual([['test:echo', 1, 'two']]);
      expect(t.heard).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

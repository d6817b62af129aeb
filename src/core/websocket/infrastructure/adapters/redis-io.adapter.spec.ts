import type { INestApplicationContext } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { of } from 'rxjs';
import { resolveWebsocketOptions } from '../../websocket.module-definition.js';
import { parserOf, RedisIoAdapter, serverOptionsOf } from './redis-io.adapter.js';
import { SingleWriteWebSocketServer } from './single-write-frames.js';

/** Socket.IO packets as Engine.IO hands them over: without the Engine.IO `4`. */
const decode = (maxBinaryAttachments: number, ...frames: Array<string | Buffer>) => {
  const { Decoder } = parserOf({ maxBinaryAttachments });
  const decoder = new Decoder();
  const packets: unknown[] = [];
  decoder.on('decoded', (packet: unknown) => packets.push(packet));
  for (const frame of frames) decoder.add(frame);
  return packets;
};

describe('serverOptionsOf', () => {
  const options = serverOptionsOf(
    resolveWebsocketOptions({
      auth: { secret: 'a-test-secret-of-at-least-32-bytes' },
      maxPayloadBytes: 4096,
      pingIntervalMs: 1000,
      pingTimeoutMs: 2000,
    }),
  );

  it('carries the payload limit, the heartbeat, no compression and one write per frame', () => {
    expect(options).toMatchObject({
      maxHttpBufferSize: 4096,
      pingInterval: 1000,
      pingTimeout: 2000,
      perMessageDeflate: false,
      allowEIO3: false,
    });
    expect(options.wsEngine).toBe(SingleWriteWebSocketServer);
  });

  it('decodes with an attachment limit: none by default, so a binary packet is refused as it is announced', () => {
    expect(() => decode(0, '51-["chat:send",{"_placeholder":true,"num":0}]')).toThrow('too many attachments');
    expect(decode(0, '2["chat:send",{}]')).toHaveLength(1);
  });

  it('lets an app that adds binary events raise the limit', () => {
    const packets = decode(
      2,
      '52-["upload",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
      Buffer.from('a'),
      Buffer.from('b'),
    );
    expect(packets).toHaveLength(1);
    expect(() => decode(2, '53-["upload"]')).toThrow('too many attachments');
  });
});

describe('RedisIoAdapter.bindMessageHandlers', () => {
  const adapter = new RedisIoAdapter({ get: () => ({}) } as unknown as INestApplicationContext);
  type Socket = Parameters<RedisIoAdapter['bindMessageHandlers']>[0];

  it('builds nothing per connection for a gateway without handlers (the realtime gateway)', () => {
    const socket = new EventEmitter() as unknown as Socket;
    adapter.bindMessageHandlers(socket, [], (result) => of(result));
    // Nest keeps the socket's disconnect stream here once it has built one.
    expect((adapter as unknown as { disconnectMap: WeakMap<object, unknown> }).disconnectMap.has(socket)).toBe(false);
    expect((socket as unknown as EventEmitter).eventNames()).toEqual([]);
  });

  it("binds an app gateway's handlers as Nest does", () => {
    const socket = new EventEmitter();
    const seen: unknown[] = [];
    const handler = { message: 'ping', methodName: 'ping', isAckHandledManually: false, callback: (data: unknown) => of(seen.push(data)) };
    adapter.bindMessageHandlers(socket as unknown as Socket, [handler], (result) => of(result));
    socket.emit('ping', { n: 1 });
    expect(seen).toEqual([{ n: 1 }]);
  });
});

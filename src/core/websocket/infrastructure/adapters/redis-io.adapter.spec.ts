import { resolveWebsocketOptions } from '../../websocket.module-definition.js';
import { parserOf, serverOptionsOf } from './redis-io.adapter.js';
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

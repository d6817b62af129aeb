import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type * as SocketIoAdapter from 'socket.io-adapter';
import type { Namespace, ServerOptions } from 'socket.io';
import type { WebSocket } from 'ws';
import { socketIoAdapter, ws } from './socket-io-modules.js';

const { Adapter } = socketIoAdapter;
const { WebSocketServer } = ws;

/** What socket.io's `adapter` option takes: a class, or a function it calls with `new`. @internal */
export type AdapterFactory = ServerOptions['adapter'];

/** The part of socket.io-adapter's `Adapter` that encodes a broadcast once for all its receivers. */
interface BroadcastEncoder {
  _encode(packet: unknown, packetOpts: { wsPreEncodedFrame?: Buffer[] }): unknown[];
}

/**
 * Wraps an adapter so that each receiver of a broadcast costs one socket write
 * instead of two. socket.io's adapter encodes a broadcast once and hands every
 * receiver the same ready-made WebSocket frame, as a header buffer and a
 * payload buffer, which ws writes to each connection with cork, two writes and
 * uncork: a `writev` and Node's buffered-write bookkeeping per receiver. Joined
 * into one buffer once per broadcast, every receiver gets a plain write of it
 * (ws's `sendFrame` takes a one-buffer frame as it is). The bytes on the wire
 * do not change. A frame that is not two buffers is left alone; packets with
 * binary attachments never get a ready-made frame, and a long-polling
 * transport (or a compressing WebSocket) encodes the packet itself as before.
 *
 * @param adapter the in-memory adapter (the default) or a cluster adapter's
 *   factory, such as the one `createShardedAdapter` returns.
 * @internal
 */
export function withSingleWriteFrames(adapter: AdapterFactory = Adapter): AdapterFactory {
  // socket.io calls the adapter option with `new`: a function that returns an object is fine.
  return function singleWriteFrames(nsp: Namespace) {
    const instance = new (adapter as new (nsp: Namespace) => SocketIoAdapter.Adapter)(nsp);
    const encoder = instance as unknown as BroadcastEncoder;
    const encode = encoder._encode;
    encoder._encode = function (packet, packetOpts) {
      const encoded = encode.call(this, packet, packetOpts);
      const frame = packetOpts.wsPreEncodedFrame;
      if (frame?.length === 2) packetOpts.wsPreEncodedFrame = [Buffer.concat(frame)];
      return encoded;
    };
    return instance;
  } as unknown as AdapterFactory;
}

/** Frames up to this size are joined into one buffer; a larger one is written as ws frames it. @internal */
export const MAX_JOINED_FRAME_BYTES = 16 * 1024;

type FramePart = Buffer | string;
type SentCallback = (error?: Error | null) => void;

/** The method of ws's `Sender` that writes one framed message: a header, then the payload. */
interface FrameSender {
  sendFrame(list: FramePart[], cb?: SentCallback): void;
}

// ws exports its Sender class, though its types do not declare it.
const { sendFrame } = (ws as unknown as { Sender: { prototype: FrameSender } }).Sender.prototype;

/**
 * ws's WebSocket server, with every small frame written as one buffer. ws
 * frames a message as a header buffer and the payload (a buffer or a string)
 * and writes them with cork, two writes and uncork, so each message a server
 * sends (an ack, a push, a ping) takes Node's buffered-write path and a
 * `writev`. Joined into one buffer first, it is one plain write, which costs
 * the server less CPU. The bytes on the wire do not change. Given to
 * Engine.IO as its `wsEngine`.
 * @internal
 */
export class SingleWriteWebSocketServer extends WebSocketServer {
  override handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: (client: WebSocket, request: IncomingMessage) => void,
  ): void {
    super.handleUpgrade(request, socket, head, (client, upgraded) => {
      writeFramesWhole(client);
      callback(client, upgraded);
    });
  }
}

function writeFramesWhole(client: WebSocket): void {
  const sender = (client as unknown as { _sender?: FrameSender })._sender;
  // A ws whose connection does not write through this method writes as it always did.
  if (sender?.sendFrame === sendFrame) sender.sendFrame = sendJoined;
}

function sendJoined(this: FrameSender, list: FramePart[], cb?: SentCallback): void {
  sendFrame.call(this, list.length === 2 ? joined(list[0] as Buffer, list[1]!) : list, cb);
}

/** The header and the payload in one buffer, or both as they were when the payload is large. */
function joined(header: Buffer, payload: FramePart): FramePart[] {
  // A string has at least as many bytes as UTF-16 units: a long one is not measured.
  const size =
    typeof payload !== 'string' ? payload.length : payload.length > MAX_JOINED_FRAME_BYTES ? Infinity : Buffer.byteLength(payload);
  if (size > MAX_JOINED_FRAME_BYTES) return [header, payload];
  const frame = Buffer.allocUnsafe(header.length + size);
  header.copy(frame, 0);
  if (typeof payload === 'string') frame.write(payload, header.length);
  else payload.copy(frame, header.length);
  return [frame];
}

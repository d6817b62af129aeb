import { createRequire } from 'node:module';
import type * as SocketIoAdapter from 'socket.io-adapter';
import type { Namespace, ServerOptions } from 'socket.io';

// The CommonJS module socket.io itself requires, so there is one copy.
const { Adapter } = createRequire(import.meta.url)('socket.io-adapter') as typeof SocketIoAdapter;

/** What socket.io's `adapter` option takes: a class, or a function it calls with `new`. */
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

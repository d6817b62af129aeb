import { Socket } from 'socket.io';
import type { RealtimeSocket } from '../../application/interfaces/realtime-socket.interface.js';
import { unsupportedSocketIoMessage } from '../../websocket.messages.js';

/** An event packet as Socket.IO 4 decodes it: `[event, ...body]` and, when the client waits for a reply, an ack id. */
interface EventPacket {
  data?: unknown[];
  id?: number;
}

/** The two members of Socket.IO's `Socket` the hook uses: present in every 4.x, absent from its public typings. */
interface PacketSocket {
  onevent(packet: EventPacket): void;
  ack(id: number): (...args: unknown[]) => void;
}

/** Receives `[event, ...body, ack?]`, the arguments Socket.IO would pass to an `onAny` listener. */
export type EventDispatch = (socket: RealtimeSocket, args: unknown[]) => void;

/**
 * Returns `attach(socket)`, after which every event the client sends goes to
 * `dispatch`, in the turn it arrived, and to nothing else.
 *
 * The router is a socket's only consumer of client events. Socket.IO hands an
 * event packet to `Socket#onevent`, which calls `onAny` listeners, then runs
 * the `socket.use()` middlewares and re-emits the event to `socket.on()`
 * listeners on the next tick: allocations and a tick per event that a router
 * answering in the same turn does not need. `attach` replaces `onevent` on the
 * socket with one shared function that builds the same arguments, ack
 * included, and calls `dispatch`. Fails at start-up on a Socket.IO without
 * those members, rather than routing nothing.
 */
export function incomingEvents(dispatch: EventDispatch): (socket: RealtimeSocket) => void {
  const prototype = Socket.prototype as unknown as Partial<PacketSocket>;
  if (typeof prototype.onevent !== 'function' || typeof prototype.ack !== 'function') throw new Error(unsupportedSocketIoMessage());
  function onevent(this: RealtimeSocket, packet: EventPacket): void {
    const args = packet.data ?? [];
    if (packet.id !== undefined && packet.id !== null) args.push((this as unknown as PacketSocket).ack(packet.id));
    dispatch(this, args);
  }
  return (socket) => {
    (socket as unknown as PacketSocket).onevent = onevent;
  };
}

import type { Envelope } from '../../domain/interfaces/envelope.js';
import type { RealtimeSocket } from '../interfaces/realtime-socket.interface.js';

/**
 * One line per routed event (event, user, socket, duration, outcome), when
 * the log is on. The router asks `enabledAt` on every event and wraps the
 * event in `around` only when it answers true, so a log that is off costs a
 * comparison and no closure.
 */
export abstract class EventLog {
  /** True while the lines are written; `now` is the caller's `performance.now()` reading. */
  abstract enabledAt(now: number): boolean;
  /** Runs `handle` and writes the event's line once its reply is known. */
  abstract around(socket: RealtimeSocket, event: string, handle: () => Promise<Envelope>): Promise<Envelope>;
}

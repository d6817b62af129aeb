import { Injectable, Logger } from '@nestjs/common';
import type { Envelope, RealtimeSocket } from '../../domain/interfaces/websocket-events.interface.js';

/**
 * Wraps every routed event, including those refused before a handler runs
 * (expired, rate limited, unknown), and writes one structured line for it at
 * `debug` level: event, user, socket, duration and outcome code. Never the
 * payload, never the token. With `debug` off it costs one comparison per event.
 */
@Injectable()
export class WsLoggingInterceptor {
  private readonly logger = new Logger('WsEvent');
  private on = false;
  private recheckAt = Number.NEGATIVE_INFINITY;

  /** True while `debug` lines are printed. */
  get enabled(): boolean {
    return this.enabledAt(performance.now());
  }

  /**
   * `enabled` for a caller that has read `performance.now()` already. Nest's
   * logger is asked at most once a second (the router asks on every event),
   * so a level changed at run time applies within a second.
   */
  enabledAt(now: number): boolean {
    if (now >= this.recheckAt) {
      this.on = Logger.isLevelEnabled('debug');
      this.recheckAt = now + 1000;
    }
    return this.on;
  }

  intercept(socket: RealtimeSocket, event: string, handle: () => Promise<Envelope>): Promise<Envelope> {
    if (!this.enabled) return handle();
    const started = performance.now();
    return handle().then((reply) => {
      this.logger.debug({
        event,
        userId: socket.data.user?.userId,
        socketId: socket.id,
        ms: Math.round((performance.now() - started) * 100) / 100,
        outcome: reply.ok ? 'OK' : reply.error.code,
      });
      return reply;
    });
  }
}

import { Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import { toErrorBody } from '../../application/errors/error-body.js';
import type { RealtimeSocket } from '../../application/interfaces/realtime-socket.interface.js';
import { EventLog } from '../../application/ports/event-log.port.js';
import type { Envelope } from '../../domain/interfaces/websocket-events.interface.js';

/**
 * Writes one structured line per event at `debug` level: event, user,
 * socket, duration and outcome code. Never the payload, never the token.
 *
 * The router logs every event through it (as the `EventLog` port), including
 * those refused before a handler runs (expired, rate limited, unknown); with
 * `debug` off that costs one comparison per event. As a Nest interceptor it
 * logs the handlers it is applied to, for a gateway of your own.
 *
 * @example
 * @UseInterceptors(WsLoggingInterceptor)
 * @SubscribeMessage('billing:charge')
 * charge() {}
 */
@Injectable()
export class WsLoggingInterceptor extends EventLog implements NestInterceptor {
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
  override enabledAt(now: number): boolean {
    if (now >= this.recheckAt) {
      this.on = Logger.isLevelEnabled('debug');
      this.recheckAt = now + 1000;
    }
    return this.on;
  }

  /** The router's wrapper: runs `handle` and logs the envelope it answers with. */
  override around(socket: RealtimeSocket, event: string, handle: () => Promise<Envelope>): Promise<Envelope> {
    if (!this.enabled) return handle();
    const started = performance.now();
    return handle().then((reply) => {
      this.write(socket, event, started, reply.ok ? 'OK' : reply.error.code);
      return reply;
    });
  }

  /** Nest's interceptor: logs the handler's outcome, `OK` or the code its error maps to. */
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.enabled) return next.handle();
    const ws = context.switchToWs();
    const socket = ws.getClient<RealtimeSocket>();
    const event = ws.getPattern();
    const started = performance.now();
    return next.handle().pipe(
      tap({
        complete: () => this.write(socket, event, started, 'OK'),
        error: (error: unknown) => this.write(socket, event, started, toErrorBody(error).code),
      }),
    );
  }

  private write(socket: RealtimeSocket, event: string, started: number, outcome: string): void {
    this.logger.debug({
      event,
      userId: socket.data.user?.userId,
      socketId: socket.id,
      ms: Math.round((performance.now() - started) * 100) / 100,
      outcome,
    });
  }
}

import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ExternalContextCreator, type ParamsFactory } from '@nestjs/core';
import { PARAM_ARGS_METADATA } from '@nestjs/websockets/constants.js';
import { WsParamtype } from '@nestjs/websockets/enums/ws-paramtype.enum.js';
import { screenBody } from '../../domain/body-shape.js';
import type { RealtimeContract } from '../../domain/contract.js';
import type { Envelope } from '../../domain/interfaces/websocket-events.interface.js';
import { TokenBucket, type Bucket } from '../../domain/token-bucket.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import { duplicateHandlerMessage } from '../../websocket.messages.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { toErrorBody } from '../errors/error-body.js';
import { RealtimeException } from '../errors/realtime.exception.js';
import type { RealtimeSocket } from '../interfaces/realtime-socket.interface.js';
import { BodyValidator } from '../ports/body-validator.port.js';
import { EventLog } from '../ports/event-log.port.js';
import { EventMetrics, UNKNOWN_EVENT_LABEL } from '../ports/event-metrics.port.js';
import { RetryableFailures } from '../ports/retryable-failures.port.js';
import { DirectInvoker, type Invoke } from './direct-invoker.js';
import { HandlerExplorer, type DiscoveredHandler } from './handler-explorer.service.js';
import { SessionService } from './session.service.js';

// Read once here: the comparisons below run on every event that goes through Nest's pipeline.
const { SOCKET, PAYLOAD } = WsParamtype;

/**
 * Maps `@ConnectedSocket()` and `@MessageBody()` to the arguments a routed
 * handler is invoked with: `[socket, body, event]`, the order of Nest's own
 * gateways, so `context.switchToWs()` works in guards and interceptors.
 */
const wsParams: ParamsFactory = {
  exchangeKeyForValue(type, data, args: unknown[]) {
    if (type === SOCKET) return args[0];
    if (type === PAYLOAD) return data ? (args[1] as Record<string, unknown> | undefined)?.[data as string] : args[1];
    return undefined;
  },
};

type Ack = (reply: Envelope) => void;
/**
 * `direct`: invoked without Nest's pipeline (nothing for it to do), so the router logs unexpected errors itself.
 * `ok`: the metrics series its successful events are counted in, kept here from the first one on.
 */
type Route = { invoke: Invoke; name: string; direct: boolean; ok: object | undefined };

/** Where a socket keeps its rate-limit bucket: on the socket itself, created with its first event. */
const BUCKET = Symbol('realtime.rateLimit');
type Limited = RealtimeSocket & { [BUCKET]?: Bucket };

/** How long a client waits before it retries a request answered `UNAVAILABLE`: about one reconnect attempt of the Redis clients. */
export const RETRY_AFTER_MS = 1000;

const UNAVAILABLE_REPLY: Envelope = {
  ok: false,
  error: {
    code: 'UNAVAILABLE',
    message: 'The service is unavailable for a moment; try again',
    details: { retryAfterMs: RETRY_AFTER_MS },
  },
};

/** A handler's answer as the client gets it: `undefined` travels as `null`. */
function okReply(data: unknown): Envelope {
  return { ok: true, data: data ?? null };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * The one consumer of every socket's events (the gateway hands each to
 * `dispatch`): checks the session and the rate limit, finds the handler that
 * owns the event, runs it through Nest's guards, pipes, interceptors and
 * filters, and answers with exactly one envelope.
 */
@Injectable()
export class MessageRouter implements OnModuleInit {
  private readonly logger = new Logger('MessageRouter');
  /** The route table: compiled once at module init (`add`), read on every event. */
  private readonly routes = new Map<string, Route>();
  private readonly direct: DirectInvoker;
  private readonly limiter: TokenBucket;
  private readonly maxBodyDepth: number;
  private declared: readonly RealtimeContract[] = [];

  constructor(
    private readonly explorer: HandlerExplorer,
    private readonly contextCreator: ExternalContextCreator,
    private readonly sessions: SessionService,
    private readonly log: EventLog,
    private readonly metrics: EventMetrics,
    validator: BodyValidator,
    @Inject(WEBSOCKET_OPTIONS) options: ResolvedWebsocketOptions,
    private readonly retryable: RetryableFailures,
  ) {
    this.maxBodyDepth = options.maxBodyDepth;
    this.limiter = new TokenBucket(options.rateLimit.perSecond, options.rateLimit.burst);
    this.direct = new DirectInvoker(contextCreator, validator);
  }

  onModuleInit(): void {
    const { handlers, contracts } = this.explorer.explore();
    for (const handler of handlers) this.add(handler);
    this.declared = contracts;
    this.logger.log(`Routing ${this.routes.size} events: ${[...this.routes.keys()].sort().join(', ')}`);
  }

  /**
   * Compiles one handler into the route table. Two invocation paths, for speed:
   * the direct invoker when the handler has no guard, pipe, interceptor or filter
   * for Nest's pipeline to run, Nest's pipeline otherwise; either answers the same.
   */
  private add({ event, instance, methodName, name }: DiscoveredHandler): void {
    const existing = this.routes.get(event);
    if (existing) throw new Error(duplicateHandlerMessage(event, existing.name, name));
    const direct = this.direct.compile(instance, methodName);
    if (direct) {
      this.routes.set(event, { invoke: direct, name, direct: true, ok: undefined });
      return;
    }
    const callback = (instance as Record<string, (...args: unknown[]) => unknown>)[methodName];
    const invoke = this.contextCreator.create(
      instance,
      callback,
      methodName,
      PARAM_ARGS_METADATA,
      wsParams,
      undefined,
      undefined,
      { guards: true, interceptors: true, filters: true },
      'ws',
    ) as Invoke;
    this.routes.set(event, { invoke, name, direct: false, ok: undefined });
  }

  /** The wire contracts the handlers declare (`@RealtimeHandler({ contract })`), known after module init. */
  get contracts(): readonly RealtimeContract[] {
    return this.declared;
  }

  /** The events the router serves, with the handler that owns each. */
  get events(): ReadonlyMap<string, string> {
    return new Map([...this.routes].map(([event, route]) => [event, route.name]));
  }

  /**
   * Handles one incoming packet: `[event, body?, ack?]` as Socket.IO hands it
   * over. A handler that answers synchronously is answered in the same turn,
   * as a bare Socket.IO handler would be; only handlers that wait make the
   * router wait.
   */
  dispatch(socket: RealtimeSocket, args: unknown[]): void {
    const event = String(args[0]);
    const last = args[args.length - 1];
    const ack = args.length > 1 && typeof last === 'function' ? (last as Ack) : undefined;
    const body = args.length > (ack ? 2 : 1) ? args[1] : undefined;
    const started = performance.now();
    const route = this.routes.get(event);
    // The logging wrapper (and its closure) only when its lines are printed.
    if (this.log.enabledAt(started)) {
      const logged = this.log.around(socket, event, () => this.settle(route, this.handle(socket, event, route, body, started)));
      void logged.then((reply) => this.finish(socket, event, route, reply, ack, started));
      return;
    }
    const handled = this.handle(socket, event, route, body, started);
    if (!(handled instanceof Promise)) return this.finish(socket, event, route, handled, ack, started);
    // One step from the handler's promise to the reply.
    void handled.then(
      (settled) => this.finish(socket, event, route, okReply(settled), ack, started),
      (error: unknown) => this.finish(socket, event, route, this.failed(route!, error), ack, started),
    );
  }

  /** The reply of a handled event, once a pending handler settled. */
  private settle(route: Route | undefined, handled: Envelope | Promise<unknown>): Promise<Envelope> {
    if (!(handled instanceof Promise)) return Promise.resolve(handled);
    return handled.then(okReply, (error: unknown) => this.failed(route!, error));
  }

  /** `now`: when the event arrived, on the rate limiter's clock (`performance.now()`). */
  private handle(socket: RealtimeSocket, event: string, route: Route | undefined, body: unknown, now: number): Envelope | Promise<unknown> {
    try {
      this.sessions.assertActive(socket, now);
      const bucket = ((socket as Limited)[BUCKET] ??= this.limiter.create(now));
      if (!this.limiter.take(bucket, now)) throw new RealtimeException('RATE_LIMITED', 'Too many events; slow down');
      if (!route) throw new RealtimeException('UNKNOWN_EVENT', `No handler for "${event}"`);
      // Before any guard, pipe or handler: none of them may ever hold a body too deep to encode, or a prototype key.
      const issue = screenBody(body, this.maxBodyDepth);
      if (issue) throw new RealtimeException('BAD_REQUEST', 'The request is not valid', [issue]);
    } catch (error) {
      if (!(error instanceof RealtimeException)) this.logger.error(`Routing "${event}" failed`, (error as Error)?.stack);
      return { ok: false, error: toErrorBody(error) };
    }
    let data: unknown;
    try {
      data = route.invoke(socket, body, event);
    } catch (error) {
      return this.failed(route, error);
    }
    if (!isPromiseLike(data)) return okReply(data);
    // The handler's own promise: `dispatch` makes the reply when it settles (an envelope is never a promise).
    return Promise.resolve(data);
  }

  private failed(route: Route, error: unknown): Envelope {
    if (this.retryable.isRetryable(error)) return UNAVAILABLE_REPLY;
    const reply = toErrorBody(error);
    // Through Nest's pipeline, its exception handler has already logged an unexpected error with its stack.
    if (route.direct && reply.code === 'INTERNAL') this.logger.error(`${route.name} failed`, (error as Error)?.stack);
    return { ok: false, error: reply };
  }

  private finish(
    socket: RealtimeSocket,
    event: string,
    route: Route | undefined,
    reply: Envelope,
    ack: Ack | undefined,
    started: number,
  ): void {
    this.reply(socket, event, reply, ack);
    const seconds = (performance.now() - started) / 1000;
    if (route && reply.ok) this.metrics.count((route.ok ??= this.metrics.seriesOf(event, 'OK')), seconds);
    else this.metrics.event(route ? event : UNKNOWN_EVENT_LABEL, reply.ok ? 'OK' : reply.error.code, seconds);
  }

  private reply(socket: RealtimeSocket, event: string, reply: Envelope, ack: Ack | undefined): void {
    if (ack) return ack(reply);
    if (!reply.ok && socket.connected) {
      socket.emit('exception', { status: 'error', event, code: reply.error.code, message: reply.error.message });
    }
  }
}

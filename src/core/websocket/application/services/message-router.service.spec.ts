import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { ExternalContextCreator } from '@nestjs/core';
import { resolveWebsocketOptions } from '../../websocket.module-definition.js';
import { RealtimeException } from '../errors/realtime.exception.js';
import type { RealtimeSocket } from '../interfaces/realtime-socket.interface.js';
import type { BodyValidator } from '../ports/body-validator.port.js';
import type { EventLog } from '../ports/event-log.port.js';
import type { EventMetrics } from '../ports/event-metrics.port.js';
import type { RetryableFailures } from '../ports/retryable-failures.port.js';
import type { HandlerExplorer } from './handler-explorer.service.js';
import { MessageRouter } from './message-router.service.js';
import type { SessionService } from './session.service.js';

function setup(
  options: { expired?: boolean; perSecond?: number; handler?: (socket: unknown, body: unknown) => unknown; log?: EventLog } = {},
) {
  const handler = jest.fn(options.handler ?? (async (_socket: unknown, body: unknown) => ({ echoed: body })));
  const explorer = {
    explore: () => ({ handlers: [{ event: 'test:echo', instance: {}, methodName: 'echo', name: 'Test.echo' }], contracts: [] }),
  } as unknown as HandlerExplorer;
  const contextCreator = { create: () => handler } as unknown as ExternalContextCreator;
  const sessions = {
    assertActive: () => {
      if (options.expired) throw new RealtimeException('TOKEN_EXPIRED', 'The token has expired');
    },
  } as unknown as SessionService;
  const router = new MessageRouter(
    explorer,
    contextCreator,
    sessions,
    options.log ?? ({ enabledAt: () => false } as unknown as EventLog),
    { event: () => undefined, seriesOf: () => ({}), count: () => undefined } as EventMetrics,
    { check: (value: unknown) => value } as BodyValidator,
    resolveWebsocketOptions({
      auth: { secret: 'a-test-secret-of-at-least-32-bytes' },
      rateLimit: { perSecond: options.perSecond ?? 50, burst: options.perSecond ?? 100 },
    }),
    { isRetryable: (error: unknown) => (error as Error)?.message === 'Connection is closed.' } as RetryableFailures,
  );
  router.onModuleInit();
  const emitted: unknown[][] = [];
  const socket = {
    id: 'socket-1',
    connected: true,
    data: { user: { userId: 'u' } },
    emit: (...args: unknown[]) => emitted.push(args),
  } as unknown as RealtimeSocket;
  return { router, handler, socket, emitted };
}

function send(router: MessageRouter, socket: RealtimeSocket, ...args: unknown[]): Promise<unknown> {
  return new Promise((resolve) => router.dispatch(socket, [...args, resolve]));
}

describe('MessageRouter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('invokes the handler with the socket, body and event, and acks { ok: true, data }', async () => {
    const { router, handler, socket } = setup();
    expect(await send(router, socket, 'test:echo', { a: 1 })).toEqual({ ok: true, data: { echoed: { a: 1 } } });
    expect(handler).toHaveBeenCalledWith(socket, { a: 1 }, 'test:echo');
  });

  it('treats a packet with only an ack as a request with no body', async () => {
    const { router, handler, socket } = setup();
    await send(router, socket, 'test:echo');
    expect(handler).toHaveBeenCalledWith(socket, undefined, 'test:echo');
  });

  it('answers TOKEN_EXPIRED and never runs the handler once the session is over', async () => {
    const { router, handler, socket } = setup({ expired: true });
    expect(await send(router, socket, 'test:echo', {})).toEqual({
      ok: false,
      error: { code: 'TOKEN_EXPIRED', message: expect.any(String) },
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers UNKNOWN_EVENT for an event nobody owns', async () => {
    const { router, socket } = setup();
    expect(await send(router, socket, 'test:nope', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT' } });
  });

  it('answers RATE_LIMITED past the bucket and does not run the handler', async () => {
    const { router, handler, socket } = setup({ perSecond: 2 });
    const replies = (await Promise.all([1, 2, 3, 4].map(() => send(router, socket, 'test:echo', {})))) as Array<{
      ok: boolean;
      error?: { code: string };
    }>;
    expect(replies.filter((r) => r.ok)).toHaveLength(2);
    expect(replies.filter((r) => r.error?.code === 'RATE_LIMITED')).toHaveLength(2);
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it('answers a handler that returns a value in the same turn, as a bare Socket.IO handler would', () => {
    const { router, socket } = setup({ handler: (_socket, body) => ({ echoed: body }) });
    const ack = jest.fn();
    router.dispatch(socket, ['test:echo', { a: 1 }, ack]);
    expect(ack).toHaveBeenCalledWith({ ok: true, data: { echoed: { a: 1 } } });
  });

  it('turns a handler that throws synchronously into an INTERNAL reply, never an exception out of the listener', () => {
    const { router, socket } = setup({
      handler: () => {
        throw new Error('secret detail');
      },
    });
    const ack = jest.fn();
    expect(() => router.dispatch(socket, ['test:echo', {}, ack])).not.toThrow();
    expect(ack).toHaveBeenCalledWith({ ok: false, error: { code: 'INTERNAL', message: 'Internal server error' } });
  });

  it('answers UNAVAILABLE with retryAfterMs when a dependency failed in a way a retry may cure, sync or async', async () => {
    const unavailable = { ok: false, error: { code: 'UNAVAILABLE', message: expect.any(String), details: { retryAfterMs: 1000 } } };
    const sync = setup({
      handler: () => {
        throw new Error('Connection is closed.');
      },
    });
    expect(await send(sync.router, sync.socket, 'test:echo', {})).toEqual(unavailable);
    const async = setup({ handler: async () => Promise.reject(new Error('Connection is closed.')) });
    expect(await send(async.router, async.socket, 'test:echo', {})).toEqual(unavailable);
  });

  it('emits exception when a failing event carried no ack', async () => {
    const { router, socket, emitted } = setup();
    router.dispatch(socket, ['test:nope', { a: 1 }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(emitted).toEqual([['exception', { status: 'error', event: 'test:nope', code: 'UNKNOWN_EVENT', message: expect.any(String) }]]);
  });

  it('lists the events it routes with their owners', () => {
    const { router } = setup();
    expect(router.events).toEqual(new Map([['test:echo', 'Test.echo']]));
  });

  it('writes the event log around an event only while the log is on', async () => {
    let on = false;
    const logged: Array<[string, unknown]> = [];
    const log = {
      enabledAt: () => on,
      around: async (_socket: RealtimeSocket, event: string, handle: () => Promise<unknown>) => {
        const reply = await handle();
        logged.push([event, reply]);
        return reply;
      },
    } as unknown as EventLog;
    const { router, socket } = setup({ log });
    await send(router, socket, 'test:echo', { a: 1 });
    expect(logged).toEqual([]);
    on = true;
    await send(router, socket, 'test:nope', {});
    expect(logged).toEqual([['test:nope', { ok: false, error: { code: 'UNKNOWN_EVENT', message: expect.any(String) } }]]);
  });
});

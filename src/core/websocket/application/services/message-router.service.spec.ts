import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { ExternalContextCreator } from '@nestjs/core';
import { RealtimeException } from '../../domain/errors/realtime.exception.js';
import type { RealtimeSocket } from '../../domain/interfaces/websocket-events.interface.js';
import { WsLoggingInterceptor } from '../../infrastructure/interceptors/ws-logging.interceptor.js';
import type { RealtimeMetrics } from '../../infrastructure/metrics/realtime-metrics.js';
import { resolveWebsocketOptions } from '../../websocket.module-definition.js';
import type { HandlerExplorer } from './handler-explorer.service.js';
import { MessageRouter } from './message-router.service.js';
import type { SessionService } from './session.service.js';

function setup(options: { expired?: boolean; perSecond?: number; handler?: (socket: unknown, body: unknown) => unknown } = {}) {
  const handler = jest.fn(options.handler ?? (async (_socket: unknown, body: unknown) => ({ echoed: body })));
  const explorer = { explore: () => [{ event: 'test:echo', instance: {}, methodName: 'echo', name: 'Test.echo' }] } as unknown as HandlerExplorer;
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
    new WsLoggingInterceptor(),
    { event: () => undefined, seriesOf: () => ({}), count: () => undefined } as unknown as RealtimeMetrics,
    resolveWebsocketOptions({ auth: { secret: 's' }, rateLimit: { perSecond: options.perSecond ?? 50, burst: options.perSecond ?? 100 } }),
  );
  router.onModuleInit();
  const emitted: unknown[][] = [];
  const socket = { id: 'socket-1', connected: true, data: { user: { userId: 'u' } }, emit: (...args: unknown[]) => emitted.push(args) } as unknown as RealtimeSocket;
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
    expect(await send(router, socket, 'test:echo', {})).toEqual({ ok: false, error: { code: 'TOKEN_EXPIRED', message: expect.any(String) } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('answers UNKNOWN_EVENT for an event nobody owns', async () => {
    const { router, socket } = setup();
    expect(await send(router, socket, 'test:nope', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT' } });
  });

  it('answers RATE_LIMITED past the bucket and does not run the handler', async () => {
    const { router, handler, socket } = setup({ perSecond: 2 });
    const replies = (await Promise.all([1, 2, 3, 4].map(() => send(router, socket, 'test:echo', {})))) as Array<{ ok: boolean; error?: { code: string } }>;
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
});

import {
  Catch,
  ConsoleLogger,
  Injectable,
  Module,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { map } from 'rxjs';
import { z } from 'zod';
import {
  CurrentUser,
  OnMessage,
  RealtimeException,
  RealtimeHandler,
  RedisIoAdapter,
  WebsocketModule,
  type AuthenticatedUser,
  type RealtimeSocket,
  type WebsocketModuleOptions,
} from '../src/core/websocket/index.js';
import { SECRET, serve, type TestApp } from './support/app.js';
import { disconnected, nextEvent, request } from './support/events.js';

@Injectable()
class AllowGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToWs().getData<{ allow?: boolean }>()?.allow === true;
  }
}

@Injectable()
class ShoutPipe implements PipeTransform {
  transform(value: unknown) {
    return value && typeof value === 'object' && 'text' in value ? { ...value, text: String(value.text).toUpperCase() } : value;
  }
}

@Injectable()
class WrapInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler) {
    const event = context.switchToWs().getPattern();
    return next.handle().pipe(map((data) => ({ wrapped: data, event })));
  }
}

class ThingMissing extends Error {}

@Catch(ThingMissing)
class ThingMissingFilter implements ExceptionFilter {
  catch(error: ThingMissing): never {
    throw new RealtimeException('NOT_FOUND', error.message);
  }
}

const echoSchema = z.object({ text: z.string().min(1).max(10) });

@RealtimeHandler()
class ProbeHandlers {
  @OnMessage('probe:echo')
  echo(
    @MessageBody({ schema: echoSchema }) body: z.infer<typeof echoSchema>,
    @CurrentUser() user: AuthenticatedUser,
    @ConnectedSocket() socket: RealtimeSocket,
  ) {
    return { text: body.text, userId: user.userId, socketId: socket.id };
  }

  @OnMessage('probe:guarded')
  @UseGuards(AllowGuard)
  guarded() {
    return 'passed';
  }

  @OnMessage('probe:piped')
  @UsePipes(ShoutPipe)
  piped(@MessageBody() body: { text: string }) {
    return body;
  }

  @OnMessage('probe:wrapped')
  @UseInterceptors(WrapInterceptor)
  wrapped() {
    return 42;
  }

  @OnMessage('probe:missing')
  @UseFilters(ThingMissingFilter)
  missing() {
    throw new ThingMissing('No such thing');
  }

  @OnMessage('probe:forbidden')
  forbidden() {
    throw new RealtimeException('FORBIDDEN', 'Not yours');
  }

  @OnMessage('probe:boom')
  boom() {
    throw new Error('db password is hunter2');
  }

  @OnMessage('probe:crash')
  crash(@MessageBody() body: unknown) {
    throw new Error(`cannot store ${JSON.stringify(body)}: disk quota of hunter3`);
  }

  @OnMessage('probe:raw')
  raw(@MessageBody() body: unknown) {
    return body;
  }

  @OnMessage('probe:slow')
  async slow() {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return 'done';
  }
}

@Module({ providers: [ProbeHandlers, AllowGuard, ShoutPipe, WrapInterceptor] })
class ProbeModule {}

async function startProbeApp(
  options: Partial<WebsocketModuleOptions> = {},
  logger: ConsoleLogger | false = false,
  globalGuard?: CanActivate,
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [EventEmitterModule.forRoot(), WebsocketModule.forRoot({ auth: { secret: SECRET }, ...options }), ProbeModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger });
  app.useWebSocketAdapter(new RedisIoAdapter(app));
  if (globalGuard) app.useGlobalGuards(globalGuard);
  return serve(app);
}

describe('event router', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  describe('envelope', () => {
    beforeEach(async () => {
      t = await startProbeApp();
    });

    it('answers a handled event with { ok: true, data }, with @MessageBody, @CurrentUser and @ConnectedSocket', async () => {
      const client = await t.connect('alice');
      expect(await request(client, 'probe:echo', { text: 'hi' })).toEqual({
        ok: true,
        data: { text: 'hi', userId: 'alice', socketId: client.id },
      });
    });

    it('answers a body that fails its schema with BAD_REQUEST and the issues in details', async () => {
      const client = await t.connect('alice');
      const reply = await request(client, 'probe:echo', { text: 'far too long for ten' });
      expect(reply).toEqual({
        ok: false,
        error: { code: 'BAD_REQUEST', message: expect.any(String), details: [{ path: 'text', message: expect.any(String) }] },
      });
      for (const body of [null, 42, 'text', [1, 2], undefined]) {
        expect((await request(client, 'probe:echo', body)).error.code).toBe('BAD_REQUEST');
      }
    });

    it('answers an unknown event with UNKNOWN_EVENT', async () => {
      const client = await t.connect('alice');
      expect(await request(client, 'nothing:here', {})).toEqual({
        ok: false,
        error: { code: 'UNKNOWN_EVENT', message: expect.any(String) },
      });
    });

    it('passes a RealtimeException through with its code', async () => {
      const client = await t.connect('alice');
      expect(await request(client, 'probe:forbidden')).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Not yours' } });
    });

    it('answers an unexpected error with INTERNAL and nothing of its message', async () => {
      const client = await t.connect('alice');
      const reply = await request(client, 'probe:boom');
      expect(reply).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Internal server error' } });
      expect(JSON.stringify(reply)).not.toContain('hunter2');
    });

    it('emits exception to a socket whose failing event had no ack', async () => {
      const client = await t.connect('alice');
      client.emit('probe:boom');
      expect(await nextEvent(client, 'exception')).toEqual({
        status: 'error',
        event: 'probe:boom',
        code: 'INTERNAL',
        message: 'Internal server error',
      });
      client.emit('nothing:here', { a: 1 });
      expect(await nextEvent(client, 'exception')).toEqual({
        status: 'error',
        event: 'nothing:here',
        code: 'UNKNOWN_EVENT',
        message: expect.any(String),
      });
    });

    it('sends nothing back for a successful event without an ack', async () => {
      const client = await t.connect('alice');
      const exceptions: unknown[] = [];
      client.on('exception', (e) => exceptions.push(e));
      client.emit('probe:echo', { text: 'hi' });
      // A later request on the same socket is answered after the first event was handled.
      await request(client, 'probe:echo', { text: 'again' });
      expect(exceptions).toEqual([]);
    });

    it('removes constructor and prototype keys from a body before any handler, with a schema or without', async () => {
      const client = await t.connect('alice');
      const body = { a: 1, constructor: { prototype: { admin: true } }, nested: [{ prototype: 1, b: 2 }] };
      expect((await request(client, 'probe:raw', body)).data).toEqual({ a: 1, nested: [{ b: 2 }] });
      expect((await request(client, 'probe:echo', { text: 'hi', constructor: 'x' })).ok).toBe(true);
    });

    it('keeps serving a socket after its handlers failed', async () => {
      const client = await t.connect('alice');
      await request(client, 'probe:boom');
      await request(client, 'nothing:here');
      expect((await request(client, 'probe:slow')).data).toBe('done');
    });
  });

  describe("a feature handler's own guards, pipes, interceptors and filters", () => {
    beforeEach(async () => {
      t = await startProbeApp();
    });

    it('runs a guard: false is FORBIDDEN, true reaches the handler', async () => {
      const client = await t.connect('alice');
      expect((await request(client, 'probe:guarded', { allow: false })).error.code).toBe('FORBIDDEN');
      expect(await request(client, 'probe:guarded', { allow: true })).toEqual({ ok: true, data: 'passed' });
    });

    it('runs a pipe on the body', async () => {
      const client = await t.connect('alice');
      expect(await request(client, 'probe:piped', { text: 'quiet' })).toEqual({ ok: true, data: { text: 'QUIET' } });
    });

    it('runs an interceptor that sees the event name', async () => {
      const client = await t.connect('alice');
      expect(await request(client, 'probe:wrapped')).toEqual({ ok: true, data: { wrapped: 42, event: 'probe:wrapped' } });
    });

    it('runs an exception filter that maps a domain error to a protocol code', async () => {
      const client = await t.connect('alice');
      expect(await request(client, 'probe:missing')).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'No such thing' } });
    });
  });

  it('applies an app-wide guard to handlers that declare none', async () => {
    t = await startProbeApp({}, false, {
      canActivate: (context: ExecutionContext) => context.switchToWs().getData<{ text?: string }>()?.text !== 'deny',
    });
    const client = await t.connect('alice');
    expect((await request(client, 'probe:echo', { text: 'deny' })).error.code).toBe('FORBIDDEN');
    expect((await request(client, 'probe:echo', { text: 'fine' })).ok).toBe(true);
  });

  it('logs an unexpected error with its stack, whichever way the handler is invoked', async () => {
    const errors: string[] = [];
    const logger = new ConsoleLogger({ logLevels: ['error'] });
    (logger as unknown as { printMessages: (messages: unknown[]) => void }).printMessages = () => undefined;
    logger.error = (...args: unknown[]) => void errors.push(args.map((arg) => (arg instanceof Error ? arg.stack : String(arg))).join(' '));
    t = await startProbeApp({}, logger);
    const client = await t.connect('alice');
    // boom has no parameters, so Nest's pipeline runs it; crash takes a body and is invoked directly.
    expect((await request(client, 'probe:boom')).error.code).toBe('INTERNAL');
    expect((await request(client, 'probe:crash', { a: 1 })).error).toEqual({ code: 'INTERNAL', message: 'Internal server error' });
    expect(errors.join('\n')).toMatch(/hunter2[\s\S]*at .*boom/);
    expect(errors.join('\n')).toMatch(/hunter3[\s\S]*at .*crash/);
  });

  describe('limits', () => {
    it('answers events past the per-socket bucket with RATE_LIMITED, without affecting other sockets', async () => {
      t = await startProbeApp({ rateLimit: { perSecond: 5, burst: 5 } });
      const noisy = await t.connect('alice');
      const quiet = await t.connect('bob');
      const replies = await Promise.all(Array.from({ length: 15 }, () => request(noisy, 'probe:echo', { text: 'x' })));
      const codes = replies.map((r) => (r.ok ? 'OK' : r.error.code));
      expect(codes.filter((c) => c === 'OK').length).toBeLessThanOrEqual(10);
      expect(codes.filter((c) => c === 'OK').length).toBeGreaterThanOrEqual(5);
      expect(codes).toContain('RATE_LIMITED');
      expect(new Set(codes)).toEqual(new Set(['OK', 'RATE_LIMITED']));
      expect((await request(quiet, 'probe:echo', { text: 'x' })).ok).toBe(true);
    });

    it('closes a connection that sends a frame over the payload limit, and only that one', async () => {
      t = await startProbeApp({ maxPayloadBytes: 2048 });
      const big = await t.connect('alice');
      const other = await t.connect('bob');
      const closed = disconnected(big);
      big.emit('probe:echo', { text: 'x'.repeat(4096) });
      expect(await closed).toBe('transport close');
      expect((await request(other, 'probe:echo', { text: 'fine' })).ok).toBe(true);
    });
  });

  it('writes one debug line per event with event, user, socket, duration and outcome, never the payload', async () => {
    const lines: string[] = [];
    const logger = new ConsoleLogger({ json: true, logLevels: ['error', 'warn', 'log', 'debug'] });
    (logger as unknown as { printMessages: (messages: unknown[], context: string, level: string) => void }).printMessages = (
      messages,
      context,
      level,
    ) => {
      if (context === 'WsEvent') lines.push(JSON.stringify({ level, messages }));
    };
    t = await startProbeApp({}, logger);
    const client = await t.connect('alice');
    await request(client, 'probe:echo', { text: 'sekrit' });
    await request(client, 'probe:forbidden');
    expect(lines).toHaveLength(2);
    const [ok, refused] = lines.map((line) => JSON.parse(line).messages[0]);
    expect(ok).toEqual({ event: 'probe:echo', userId: 'alice', socketId: client.id, ms: expect.any(Number), outcome: 'OK' });
    expect(refused).toMatchObject({ event: 'probe:forbidden', outcome: 'FORBIDDEN' });
    expect(lines.join('\n')).not.toContain('sekrit');
  });
});

describe('start-up checks', () => {
  @RealtimeHandler()
  class First {
    @OnMessage('dup:event')
    handle() {}
  }

  @RealtimeHandler()
  class Second {
    @OnMessage('dup:event')
    handle() {}
  }

  @RealtimeHandler()
  class BadName {
    @OnMessage('NotAnEvent')
    handle() {}
  }

  async function init(providers: Array<new () => unknown>, adapter = true): Promise<void> {
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), WebsocketModule.forRoot({ auth: { secret: SECRET } })],
      providers,
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    if (adapter) app.useWebSocketAdapter(new RedisIoAdapter(app));
    try {
      await app.init();
    } finally {
      await app.close().catch(() => undefined);
    }
  }

  it('refuses to start with two handlers for one event, naming both', async () => {
    await expect(init([First, Second])).rejects.toThrow('Two realtime handlers for "dup:event": First.handle and Second.handle');
  });

  it('refuses to start with an event name that is not domain:action', async () => {
    await expect(init([BadName])).rejects.toThrow('"NotAnEvent"');
  });

  it('refuses to start without RedisIoAdapter, whose options carry the limits', async () => {
    await expect(init([], false)).rejects.toThrow('RedisIoAdapter');
  });

  it('refuses invalid module options, naming the option', async () => {
    await expect(
      Test.createTestingModule({
        imports: [EventEmitterModule.forRoot(), WebsocketModule.forRoot({ auth: { secret: SECRET }, maxPayloadBytes: -1 })],
      }).compile(),
    ).rejects.toThrow('maxPayloadBytes');
  });
});

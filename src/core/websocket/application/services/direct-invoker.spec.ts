import {
  Catch,
  createParamDecorator,
  Injectable,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  type CallHandler,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { ExternalContextCreator } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Ack, ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { of } from 'rxjs';
import { z } from 'zod';
import { RealtimeHandler } from '../../api/decorators/realtime-handler.decorator.js';
import { messageValidationPipe } from '../../infrastructure/pipes/message-validation.pipe.js';
import { RealtimeException } from '../errors/realtime.exception.js';
import type { RealtimeSocket } from '../interfaces/realtime-socket.interface.js';
import { DirectInvoker, type Invoke } from './direct-invoker.js';

const socket = { id: 'socket-1', data: { user: { userId: 'alice', claims: {}, expiresAt: 0 } } } as unknown as RealtimeSocket;
const textSchema = z.object({ text: z.string().min(1), tag: z.string().default('none') });
const slowSchema = z.object({ text: z.string() }).refine(async (body) => body.text !== 'taken', { message: 'taken' });

const Whoami = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const ws = context.switchToWs();
  return { socketId: ws.getClient<RealtimeSocket>().id, body: ws.getData(), event: ws.getPattern(), type: context.getType() };
});

@Injectable()
class Allow {
  canActivate() {
    return true;
  }
}
@Injectable()
class Through {
  intercept(_context: ExecutionContext, next: CallHandler) {
    return next.handle();
  }
}
@Catch()
class Swallow {
  catch() {}
}
const identity = { transform: (value: unknown) => value };

@RealtimeHandler()
class Handlers {
  readonly validatedBodies: unknown[] = [];
  echo(@MessageBody() body: unknown, @ConnectedSocket() client: RealtimeSocket) {
    return { body, socketId: client.id };
  }
  field(@MessageBody('text') text: unknown) {
    return text;
  }
  validated(@MessageBody({ schema: textSchema }) body: z.output<typeof textSchema>) {
    this.validatedBodies.push(body);
    return body;
  }
  slow(@MessageBody({ schema: slowSchema }) body: unknown) {
    return body;
  }
  custom(@Whoami() who: unknown) {
    return who;
  }
  observable(@MessageBody() body: unknown) {
    return of('first', body);
  }
  @UseGuards(Allow)
  guarded(@MessageBody() body: unknown) {
    return body;
  }
  @UseInterceptors(Through)
  intercepted(@MessageBody() body: unknown) {
    return body;
  }
  @UseFilters(Swallow)
  filtered(@MessageBody() body: unknown) {
    return body;
  }
  @UsePipes(identity)
  piped(@MessageBody() body: unknown) {
    return body;
  }
  parameterPiped(@MessageBody(identity) body: unknown) {
    return body;
  }
  acked(@MessageBody() body: unknown, @Ack() ack: unknown) {
    return [body, ack];
  }
  noParameters() {
    return 'nothing';
  }
}

/** Not a `@RealtimeHandler()`: no validation pipe on the class, so schemas are not run (as in Nest's pipeline). */
@Injectable()
class Unvalidated {
  validated(@MessageBody({ schema: textSchema }) body: unknown) {
    return body;
  }
}

@UsePipes(identity)
@RealtimeHandler()
class OwnPipeClass {
  echo(@MessageBody() body: unknown) {
    return body;
  }
}

/** An app whose ExternalContextCreator is Nest's own, so the invoker reads Nest's real enhancer registries. */
async function start(): Promise<{ app: INestApplication; invoker: DirectInvoker }> {
  const moduleRef = await Test.createTestingModule({}).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  return { app, invoker: new DirectInvoker(app.get(ExternalContextCreator), messageValidationPipe) };
}

describe('DirectInvoker', () => {
  let app: INestApplication;
  let invoker: DirectInvoker;
  const handlers = new Handlers();
  const compiled = (methodName: keyof Handlers): Invoke => {
    const invoke = invoker.compile(handlers, methodName);
    if (!invoke) throw new Error(`${methodName} was left to Nest's pipeline`);
    return invoke;
  };

  beforeEach(async () => ({ app, invoker } = await start()));
  afterEach(() => app.close());

  it('invokes a handler with its body and socket, and answers in the same turn', () => {
    expect(compiled('echo')(socket, { a: 1 }, 'test:echo')).toEqual({ body: { a: 1 }, socketId: 'socket-1' });
  });

  it('reads one field of the body with @MessageBody(field), and nothing from a missing body', () => {
    expect(compiled('field')(socket, { text: 'hi' }, 'test:field')).toBe('hi');
    expect(compiled('field')(socket, undefined, 'test:field')).toBeUndefined();
  });

  it("hands the handler the schema's output", () => {
    expect(compiled('validated')(socket, { text: 'hi' }, 'test:validated')).toEqual({ text: 'hi', tag: 'none' });
  });

  it('refuses a body its schema refuses with BAD_REQUEST and the issues, before the handler runs', () => {
    const invoke = compiled('validated');
    const before = handlers.validatedBodies.length;
    expect(() => invoke(socket, { text: '' }, 'test:validated')).toThrow(RealtimeException);
    expect(() => invoke(socket, { text: '' }, 'test:validated')).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST', details: [{ path: 'text', message: expect.any(String) }] }),
    );
    expect(handlers.validatedBodies).toHaveLength(before);
  });

  it('waits for a schema that answers asynchronously, and only then calls the handler', async () => {
    const invoke = compiled('slow');
    const pending = invoke(socket, { text: 'free' }, 'test:slow');
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toEqual({ text: 'free' });
    await expect(invoke(socket, { text: 'taken' }, 'test:slow')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('gives a custom parameter decorator the WebSocket context Nest would: socket, body and event', () => {
    expect(compiled('custom')(socket, { a: 1 }, 'test:custom')).toEqual({
      socketId: 'socket-1',
      body: { a: 1 },
      event: 'test:custom',
      type: 'ws',
    });
  });

  it("answers an Observable handler with a promise of the Observable's last value", async () => {
    await expect(compiled('observable')(socket, 'last', 'test:observable')).resolves.toBe('last');
  });

  it('does not run a schema on a class without the validation pipe, as Nest would not', () => {
    const invoke = invoker.compile(new Unvalidated(), 'validated');
    expect(invoke?.(socket, { text: '' }, 'test:unvalidated')).toEqual({ text: '' });
  });

  it.each<[string, object, string]>([
    ['a guard', handlers, 'guarded'],
    ['an interceptor', handlers, 'intercepted'],
    ['an exception filter', handlers, 'filtered'],
    ['a pipe of its own', handlers, 'piped'],
    ['a parameter pipe', handlers, 'parameterPiped'],
    ['a parameter it does not resolve (@Ack)', handlers, 'acked'],
    ['no parameters', handlers, 'noParameters'],
    ['a class pipe besides the validation pipe', new OwnPipeClass(), 'echo'],
  ])("leaves a handler with %s to Nest's pipeline", (_case, instance, methodName) => {
    expect(invoker.compile(instance, methodName)).toBeUndefined();
  });

  it("leaves every handler to Nest's pipeline once the app has a global enhancer", () => {
    expect(invoker.compile(handlers, 'echo')).toBeDefined();
    app.useGlobalGuards(new Allow());
    expect(invoker.compile(handlers, 'echo')).toBeUndefined();
  });
});

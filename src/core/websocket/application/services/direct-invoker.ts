import type { ExecutionContext, Type } from '@nestjs/common';
import {
  CUSTOM_ROUTE_ARGS_METADATA,
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
} from '@nestjs/common/constants.js';
import type { ExternalContextCreator } from '@nestjs/core';
import { PARAM_ARGS_METADATA } from '@nestjs/websockets/constants.js';
import { WsParamtype } from '@nestjs/websockets/enums/ws-paramtype.enum.js';
import { isObservable, lastValueFrom } from 'rxjs';
import type { RealtimeSocket } from '../interfaces/realtime-socket.interface.js';
import type { BodySchema, BodyValidator } from '../ports/body-validator.port.js';

const ENHANCER_KEYS = [GUARDS_METADATA, INTERCEPTORS_METADATA, EXCEPTION_FILTERS_METADATA] as const;

/** Runs a handler for one event: its result, or a promise of it when the handler (or a schema) is asynchronous. */
export type Invoke = (socket: RealtimeSocket, body: unknown, event: string) => unknown;

interface ParamMetadata {
  index: number;
  data?: unknown;
  pipes?: unknown[];
  schema?: BodySchema;
  factory?: (data: unknown, context: ExecutionContext) => unknown;
}

type Resolve = (socket: RealtimeSocket, body: unknown, event: string, context: () => ExecutionContext) => unknown;

/** The part of Nest's enhancer context creators read here: how many global enhancers apply to every handler. */
interface EnhancerCreator {
  getGlobalMetadata?: () => unknown[];
  config?: {
    getGlobalRequestGuards?: () => unknown[];
    getGlobalRequestInterceptors?: () => unknown[];
    getGlobalRequestPipes?: () => unknown[];
    getGlobalRequestFilters?: () => unknown[];
  };
}

/**
 * Invokes a handler that has nothing for Nest's pipeline to do, without it.
 *
 * It exists for speed. Most realtime handlers declare a body schema and
 * parameter decorators and no guard, interceptor, filter or pipe of their
 * own. For those, Nest's ExternalContextCreator builds the same result
 * through a chain of promises and wrappers on every event. When a handler
 * (its class, its method, or the app's global enhancers) declares any
 * enhancer, or when Nest's internals are not as expected (it reads the
 * enhancer registries of Nest's context creator, which Nest does not type),
 * `compile` returns `undefined` and the router uses Nest's pipeline,
 * so behaviour is the same either way: parameters resolved from the same
 * metadata, bodies validated by the same pipe (`validator`, the instance
 * `@RealtimeHandler()` applies), errors mapped by the router.
 */
export class DirectInvoker {
  constructor(
    private readonly contextCreator: ExternalContextCreator,
    private readonly validator: BodyValidator,
  ) {}

  compile(instance: object, methodName: string): Invoke | undefined {
    const classRef = instance.constructor as Type;
    const method = (instance as Record<string, (...args: unknown[]) => unknown>)[methodName]!;
    if (!this.globalsEmpty()) return undefined;
    for (const key of ENHANCER_KEYS) {
      if (nonEmpty(Reflect.getMetadata(key, classRef)) || nonEmpty(Reflect.getMetadata(key, method))) return undefined;
    }
    const validator = this.validator;
    const classPipes = (Reflect.getMetadata(PIPES_METADATA, classRef) ?? []) as unknown[];
    if (classPipes.some((pipe) => pipe !== validator) || nonEmpty(Reflect.getMetadata(PIPES_METADATA, method))) return undefined;
    const validates = classPipes.includes(validator);

    const metadata = (Reflect.getMetadata(PARAM_ARGS_METADATA, classRef, methodName) ?? {}) as Record<string, ParamMetadata>;
    const resolvers: Array<{ index: number; resolve: Resolve; schema?: BodySchema; builtIn?: true }> = [];
    for (const [key, param] of Object.entries(metadata)) {
      if (nonEmpty(param.pipes)) return undefined;
      if (key.includes(CUSTOM_ROUTE_ARGS_METADATA)) {
        const factory = param.factory;
        if (typeof factory !== 'function') return undefined;
        resolvers.push({ index: param.index, resolve: (_s, _b, _e, context) => factory(param.data, context()) });
        continue;
      }
      const type = Number(key.split(':')[0]);
      if (type === WsParamtype.SOCKET) resolvers.push({ index: param.index, resolve: (socket) => socket, builtIn: true });
      else if (type === WsParamtype.PAYLOAD) {
        const field = param.data as string | undefined;
        resolvers.push({
          index: param.index,
          resolve: (_socket, body) => (field ? (body as Record<string, unknown> | undefined)?.[field] : body),
          schema: validates ? param.schema : undefined,
          builtIn: true,
        });
      } else return undefined;
    }
    if (resolvers.length === 0) return undefined;
    const length = Math.max(...resolvers.map((resolver) => resolver.index)) + 1;
    const validated = resolvers.filter((resolver) => resolver.schema);

    const invoke = (args: unknown[]): unknown => {
      const result = method.apply(instance, args);
      return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
    };
    // In order, as Nest's pipes run; only a schema that answers with a promise makes the rest wait.
    const validate = (args: unknown[], from: number): Promise<void> | undefined => {
      for (let i = from; i < validated.length; i++) {
        const { index, schema } = validated[i]!;
        const checked = validator.check(args[index], schema!);
        if (checked instanceof Promise) {
          return checked.then((value) => {
            args[index] = value;
            return validate(args, i + 1);
          });
        }
        args[index] = checked;
      }
      return undefined;
    };
    const custom = resolvers.some((resolver) => !resolver.builtIn);
    const noContext = (): ExecutionContext => {
      throw new Error('unreachable: no custom parameter decorator asks for a context');
    };
    // Synchronous as long as the schemas and the handler are: no promise is made for a handler that returns a value.
    return (socket, body, event) => {
      let context: ExecutionContext | undefined;
      // Only custom parameter decorators read the context: the closure is made for their handlers alone.
      const contextOf = custom ? () => (context ??= wsContext([socket, body, event], classRef, method)) : noContext;
      const args = new Array<unknown>(length);
      for (const { index, resolve } of resolvers) args[index] = resolve(socket, body, event, contextOf);
      const pending = validated.length > 0 ? validate(args, 0) : undefined;
      return pending ? pending.then(() => invoke(args)) : invoke(args);
    };
  }

  private globalsEmpty(): boolean {
    const creators = this.contextCreator as unknown as Record<string, EnhancerCreator | undefined>;
    const names = ['guardsContextCreator', 'interceptorsContextCreator', 'pipesContextCreator', 'filtersContextCreator'];
    return names.every((name) => {
      const creator = creators[name];
      if (typeof creator?.getGlobalMetadata !== 'function') return false;
      if (nonEmpty(creator.getGlobalMetadata())) return false;
      const config = creator.config;
      const scoped = [
        config?.getGlobalRequestGuards,
        config?.getGlobalRequestInterceptors,
        config?.getGlobalRequestPipes,
        config?.getGlobalRequestFilters,
      ];
      return scoped.every((read) => typeof read !== 'function' || !nonEmpty(read.call(config)));
    });
  }
}

function nonEmpty(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/** What `context.switchToWs()` gives a parameter decorator: the socket, the body and the event, as Nest's gateways order them. */
function wsContext(args: unknown[], classRef: Type, handler: (...args: unknown[]) => unknown): ExecutionContext {
  const context: ExecutionContext = {
    getArgs: <T extends unknown[]>() => args as T,
    getArgByIndex: <T>(index: number) => args[index] as T,
    getType: <T extends string>() => 'ws' as T,
    getClass: <T>() => classRef as Type<T>,
    getHandler: () => handler,
    switchToWs: () => ({
      getClient: <T>() => args[0] as T,
      getData: <T>() => args[1] as T,
      getPattern: () => args[args.length - 1] as string,
    }),
    switchToHttp: () => {
      throw new Error('A realtime handler has no HTTP context');
    },
    switchToRpc: () => {
      throw new Error('A realtime handler has no RPC context');
    },
  };
  return context;
}

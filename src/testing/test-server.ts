import { Module, type DynamicModule, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { JwtService } from '@nestjs/jwt';
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { RedisIoAdapter, WebsocketModule, type WebsocketModuleOptions } from '../core/websocket/index.js';

/** The HMAC secret test servers verify with, unless told otherwise. */
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256';

/** A refused handshake, as `connect_error` gives it. */
export type Refusal = Error & { data?: { code: string; message: string } };

export interface ClientOptions {
  /** Extra claims of the token `TestServer.connect(userId)` signs (e.g. `{ rooms: ['lobby'] }`); unused elsewhere. */
  claims?: Record<string, unknown>;
  extraHeaders?: Record<string, string>;
  query?: Record<string, string>;
  /** The handshake's `auth` as it is (no token added). */
  auth?: Record<string, unknown>;
  transports?: string[];
}

/** A Nest app listening on a free loopback port, and clients for it that are closed with it. */
export interface TestServer {
  app: INestApplication;
  url: string;
  /** Signs a token the server accepts; `exp` one hour from now unless the claims say otherwise. */
  token(userId: string, claims?: Record<string, unknown>): string;
  /** Connects a client and resolves once `session:ready` arrived; rejects with the refusal. */
  connect(userIdOrToken: string | { token: string }, options?: ClientOptions): Promise<Socket>;
  /** Connects and resolves with the refusal (`connect_error`) instead. */
  refuse(options: ClientOptions & { token?: string }): Promise<Refusal>;
  /** Disconnects every client it made, then closes the app. */
  close(): Promise<void>;
}

/**
 * Signs a test token; `exp` one hour from now unless the claims say otherwise.
 *
 * @example
 * const expired = signTestToken('alice', { exp: Math.floor(Date.now() / 1000) - 60 });
 */
export function signTestToken(userId: string, claims: Record<string, unknown> = {}, secret = TEST_JWT_SECRET): string {
  return new JwtService().sign({ sub: userId, exp: Math.floor(Date.now() / 1000) + 3600, ...claims }, { secret, algorithm: 'HS256' });
}

/**
 * A client with no automatic reconnection, on the WebSocket transport unless
 * told otherwise; connecting, not yet connected (see `ready`).
 *
 * @example
 * const socket = openClient(server.url, { token, transports: ['polling'] });
 */
export function openClient(url: string, options: ClientOptions & { token?: string } = {}): Socket {
  return io(url, {
    transports: options.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: options.auth ?? (options.token !== undefined ? { token: options.token } : {}),
    extraHeaders: options.extraHeaders,
    query: options.query,
  });
}

/**
 * Resolves with the socket once `session:ready` arrived; rejects with the `connect_error` (a `Refusal`).
 *
 * @example
 * const socket = await ready(openClient(server.url, { token }));
 */
export function ready(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    socket.once('session:ready', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/**
 * Connects a client to a running server (one of `startTestApp`'s, or an app
 * you started yourself) and resolves once `session:ready` arrived; rejects
 * with the refusal (a `Refusal`, `data.code` e.g. `UNAUTHORIZED`). Pass a
 * token, or the options of `openClient`.
 *
 * @example
 * const alice = await connect(server.url, signTestToken('alice', { rooms: ['lobby'] }));
 */
export function connect(url: string, tokenOrOptions: string | (ClientOptions & { token?: string })): Promise<Socket> {
  return ready(openClient(url, typeof tokenOrOptions === 'string' ? { token: tokenOrOptions } : tokenOrOptions));
}

/**
 * Listens on a free loopback port with an app you built that imports
 * `WebsocketModule` and uses `RedisIoAdapter` (`startTestApp` builds one for you).
 *
 * @example
 * const server = await serve(await createApp(config));
 */
export async function serve(app: INestApplication, secret = TEST_JWT_SECRET): Promise<TestServer> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const sockets = new Set<Socket>();
  const token = (userId: string, claims?: Record<string, unknown>) => signTestToken(userId, claims, secret);
  const open = (options: ClientOptions & { token?: string }): Socket => {
    const socket = openClient(url, options);
    sockets.add(socket);
    return socket;
  };
  return {
    app,
    url,
    token,
    connect(who, options = {}) {
      return ready(open({ ...options, token: typeof who === 'string' ? token(who, options.claims) : who.token }));
    },
    refuse(options) {
      const socket = open(options);
      return new Promise((resolve, reject) => {
        socket.once('connect_error', resolve);
        socket.once('session:ready', () => reject(new Error('the handshake was accepted')));
      });
    },
    async close() {
      for (const socket of sockets) socket.disconnect();
      await app.close();
    },
  };
}

export interface TestAppOptions extends Pick<ModuleMetadata, 'imports' | 'providers' | 'controllers'> {
  /** WebsocketModule options on top of the test defaults (the test secret, a short shutdown grace). */
  websocket?: Partial<WebsocketModuleOptions>;
  /** Nest's logger; off by default. */
  logger?: false | ('error' | 'warn' | 'log' | 'debug')[];
}

/**
 * Starts a Nest app with EventEmitter, the realtime core and your modules, on
 * a free port. For a feature module's end-to-end tests.
 *
 * @example
 * const server = await startTestApp({ imports: [ReactionsModule] });
 * const alice = await server.connect('alice', { claims: { rooms: ['lobby'] } });
 * const reply = await request<ReactionCount>(alice, 'reactions:add', { roomId: 'lobby', messageId, emoji: '🎉' });
 * await server.close();
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestServer> {
  const websocket: WebsocketModuleOptions = {
    shutdownGraceMs: 200,
    ...options.websocket,
    auth: { secret: TEST_JWT_SECRET, ...options.websocket?.auth },
  };
  @Module({})
  class TestRootModule {}
  const root: DynamicModule = {
    module: TestRootModule,
    imports: [EventEmitterModule.forRoot(), WebsocketModule.forRoot(websocket), ...(options.imports ?? [])],
    providers: options.providers ?? [],
    controllers: options.controllers ?? [],
  };
  const app = await NestFactory.create(root, { logger: options.logger ?? false });
  app.useWebSocketAdapter(new RedisIoAdapter(app));
  return serve(app, websocket.auth.secret);
}

import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { createApp } from '../../src/app.factory.js';
import { loadConfig, type AppConfig } from '../../src/config/app.config.js';

export const SECRET = 'test-secret-that-is-long-enough-for-hs256';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  url: string;
  /** Signs a token with the app's secret; `exp` one hour from now unless the claims say otherwise. */
  token(userId: string, claims?: Record<string, unknown>): string;
  /** Connects a client and resolves once `session:ready` arrived. */
  connect(userIdOrToken: string | { token: string }, options?: ClientOptions): Promise<Socket>;
  /** Connects and resolves with the refusal (`connect_error`) instead. */
  refuse(options: ClientOptions & { token?: string }): Promise<Error & { data?: { code: string; message: string } }>;
  close(): Promise<void>;
}

export interface ClientOptions {
  claims?: Record<string, unknown>;
  extraHeaders?: Record<string, string>;
  query?: Record<string, string>;
  auth?: Record<string, unknown>;
  transports?: string[];
}

/** A client with no automatic reconnection, on the WebSocket transport unless told otherwise. */
export function openClient(url: string, options: ClientOptions & { token?: string }): Socket {
  return io(url, {
    transports: (options.transports as never) ?? ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: options.auth ?? (options.token !== undefined ? { token: options.token } : {}),
    extraHeaders: options.extraHeaders,
    query: options.query,
  });
}

/** Resolves with the socket once `session:ready` arrived; rejects with the `connect_error`. */
export function ready(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    socket.once('session:ready', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Signs a test token; `exp` one hour from now unless the claims say otherwise. */
export function signToken(userId: string, claims: Record<string, unknown> = {}): string {
  return new JwtService().sign({ sub: userId, exp: Math.floor(Date.now() / 1000) + 3600, ...claims }, { secret: SECRET, algorithm: 'HS256' });
}

/** Starts the real app on a free loopback port with the given environment on top of a test baseline. */
export async function startApp(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET, LOG_LEVEL: 'error', WS_SHUTDOWN_GRACE_MS: '300', ...env });
  return serve(await createApp(config, false), config);
}

/**
 * Starts any Nest app that imports `WebsocketModule` (for tests of the module
 * with feature modules of their own); `config` is only reported back.
 */
export async function serve(app: INestApplication, config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET })): Promise<TestApp> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const sockets = new Set<Socket>();
  const token = signToken;

  const open = (options: ClientOptions & { token?: string }): Socket => {
    const socket = openClient(url, options);
    sockets.add(socket);
    return socket;
  };

  return {
    app,
    config,
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

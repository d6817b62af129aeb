import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';

const created = new WeakSet<object>();

/** True for a server made by `RedisIoAdapter`, i.e. with the module's limits applied. */
export function isRealtimeServer(server: object): boolean {
  return created.has(server);
}

/** The Socket.IO server options that carry the module's limits. */
export function serverOptionsOf(options: ResolvedWebsocketOptions): Partial<ServerOptions> {
  return {
    path: options.path,
    maxHttpBufferSize: options.maxPayloadBytes,
    pingInterval: options.pingIntervalMs,
    pingTimeout: options.pingTimeoutMs,
    connectTimeout: options.connectTimeoutMs,
    // CORS headers only matter to browsers on long-polling; the Origin check
    // that also covers WebSocket upgrades is in the handshake middleware.
    cors: { origin: options.corsOrigins.length > 0 ? options.corsOrigins : true, credentials: false },
    allowEIO3: false,
  };
}

/**
 * The adapter the realtime server needs: it applies the module's server
 * options (path, payload limit, ping timings, CORS).
 *
 * @example
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new RedisIoAdapter(app));
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly options: ResolvedWebsocketOptions;

  constructor(app: INestApplicationContext) {
    super(app);
    this.options = app.get<ResolvedWebsocketOptions>(WEBSOCKET_OPTIONS);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, { ...options, ...serverOptionsOf(this.options) } as ServerOptions);
    created.add(server);
    return server;
  }
}

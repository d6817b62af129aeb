import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { ServerOptions } from 'socket.io';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { RedisClients } from '../redis/redis-clients.js';
import { SingleWriteWebSocketServer, withSingleWriteFrames } from './single-write-frames.js';
import { socketIoParser } from './socket-io-modules.js';

const { Decoder, Encoder } = socketIoParser;

const created = new WeakSet<object>();

/** True for a server made by `RedisIoAdapter`, i.e. with the module's limits applied. @internal */
export function isRealtimeServer(server: object): boolean {
  return created.has(server);
}

/**
 * Socket.IO's packet codec with the attachment limit applied. The decoder of a
 * connection buffers announced attachments until they all arrived, even before
 * the Socket.IO handshake; the limit bounds what one connection can make the
 * server hold to `maxBinaryAttachments` frames.
 * @internal the module's own plumbing; kept out of the published declarations, which must not name the packages it types.
 */
export function parserOf(options: Pick<ResolvedWebsocketOptions, 'maxBinaryAttachments'>): {
  Encoder: typeof Encoder;
  Decoder: typeof Decoder;
} {
  const maxAttachments = options.maxBinaryAttachments;
  return {
    Encoder,
    Decoder: class LimitedDecoder extends Decoder {
      constructor() {
        super({ maxAttachments });
      }
    },
  };
}

/** The Socket.IO server options that carry the module's limits. */
export function serverOptionsOf(options: ResolvedWebsocketOptions): Partial<ServerOptions> {
  return {
    path: options.path,
    maxHttpBufferSize: options.maxPayloadBytes,
    pingInterval: options.pingIntervalMs,
    pingTimeout: options.pingTimeoutMs,
    connectTimeout: options.connectTimeoutMs,
    parser: parserOf(options),
    // Compressed frames cost the server an inflate buffer per connection and
    // let a small frame expand past the payload limit: off, whatever the default.
    perMessageDeflate: false,
    // Each small frame in one write instead of cork, two writes and uncork.
    wsEngine: SingleWriteWebSocketServer,
    // CORS headers only matter to browsers on long-polling; the Origin check
    // that also covers WebSocket upgrades is in the handshake middleware.
    cors: { origin: options.corsOrigins.length > 0 ? options.corsOrigins : true, credentials: false },
    allowEIO3: false,
  };
}

/**
 * The adapter the realtime server needs: it applies the module's server
 * options (path, payload limit, ping timings, CORS) and, when Redis is
 * configured, plugs in Socket.IO's sharded Redis adapter (Redis 7 SPUBLISH /
 * SSUBSCRIBE, also the path to Redis Cluster) so a room spans every node.
 * Either room adapter writes a broadcast with one write per receiver
 * (`withSingleWriteFrames`).
 * The module connects the Redis clients before the app accepts sockets, and
 * closes them on shutdown.
 *
 * @example
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new RedisIoAdapter(app));
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly options: ResolvedWebsocketOptions;
  private readonly redis: RedisClients;

  constructor(app: INestApplicationContext) {
    super(app);
    this.options = app.get<ResolvedWebsocketOptions>(WEBSOCKET_OPTIONS);
    this.redis = app.get(RedisClients);
  }

  // Typed from IoAdapter itself: an app whose own socket.io differs from the one Nest pins still matches the base class.
  override createIOServer(port: number, options?: Parameters<IoAdapter['createIOServer']>[1]): ReturnType<IoAdapter['createIOServer']> {
    const adapter = withSingleWriteFrames(this.redis.socketIoAdapter());
    const server = super.createIOServer(port, { ...options, ...serverOptionsOf(this.options), adapter } as ServerOptions);
    created.add(server);
    return server;
  }

  /**
   * Nest binds a gateway's `@SubscribeMessage` handlers here, once per
   * connection, and first builds a `disconnect` stream for the socket (four
   * rxjs Observables and a dozen closures) whether or not there are any. The
   * realtime gateway has none (events reach the router through
   * `incomingEvents`), so for it nothing is built: about 1 KB less heap per
   * idle connection. A gateway of the app's own with handlers gets Nest's
   * binding unchanged.
   */
  override bindMessageHandlers(...args: Parameters<IoAdapter['bindMessageHandlers']>): void {
    if (args[1].length === 0) return;
    super.bindMessageHandlers(...args);
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    await this.redis.close();
  }
}

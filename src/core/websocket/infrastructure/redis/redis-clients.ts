import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { createShardedAdapter } from '@socket.io/redis-adapter';
import type { Redis, RedisOptions } from 'ioredis';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';

/** The Redis client library and Socket.IO's Redis adapter, loaded only when Redis is configured. */
interface RedisLibraries {
  Redis: typeof Redis;
  createShardedAdapter: typeof createShardedAdapter;
}

/** Reconnect forever, backing off to 2 s: a node outlives any Redis outage. */
const retryStrategy = (attempt: number): number => Math.min(50 * 2 ** attempt, 2000);

/**
 * The module's Redis connections, when Redis is configured: `command` for
 * state, `pub` and `sub` for the Socket.IO adapter. Commands fail fast while
 * Redis is unreachable (no unbounded offline queue), subscriptions wait and
 * are renewed on reconnect. Every client has an error handler; an outage is
 * logged once when it starts and once when it ends.
 *
 * Made by `RedisClients.create`, which imports `ioredis` and the adapter only
 * when Redis is configured: a single node without Redis does not load them
 * (67 CommonJS modules).
 */
export class RedisClients implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly clients?: { command: Redis; pub: Redis; sub: Redis };
  private down = false;
  private closed = false;
  /** Room subscriptions the adapter asked for that Redis has not confirmed yet. */
  private readonly subscribing = new Set<Promise<unknown>>();

  /** The module's clients for `options` (none without `options.redis`), not yet connected. */
  static async create(options: ResolvedWebsocketOptions): Promise<RedisClients> {
    if (!options.redis) return new RedisClients(options);
    const [{ Redis }, { createShardedAdapter }] = await Promise.all([import('ioredis'), import('@socket.io/redis-adapter')]);
    return new RedisClients(options, { Redis, createShardedAdapter });
  }

  private constructor(
    private readonly options: ResolvedWebsocketOptions,
    private readonly libraries?: RedisLibraries,
  ) {
    if (!options.redis || !libraries) return;
    const { Redis } = libraries;
    const base: RedisOptions = { lazyConnect: true, retryStrategy, connectTimeout: 5000, enableReadyCheck: true };
    const failFast: RedisOptions = { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 3000 };
    this.clients = {
      command: this.watch(new Redis(options.redis.url, { ...failFast, connectionName: `${options.nodeId}:command` }), 'command'),
      pub: this.watch(new Redis(options.redis.url, { ...failFast, connectionName: `${options.nodeId}:pub` }), 'pub'),
      // Queued (un)subscriptions must never reject: they wait for the connection.
      sub: this.watch(new Redis(options.redis.url, { ...base, maxRetriesPerRequest: null, autoResubscribe: true, connectionName: `${options.nodeId}:sub` }), 'sub'),
    };
    // The Socket.IO adapter does not handle the promises of its (un)subscriptions;
    // one that rejects (the connection closed at shutdown) must not become an
    // unhandled rejection, which would end the process.
    for (const method of ['ssubscribe', 'sunsubscribe'] as const) {
      const sub = this.clients.sub as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const original = sub[method]!.bind(sub);
      sub[method] = (...args: unknown[]) => {
        const pending = original(...args);
        pending.catch((error: Error) => this.logger.debug(`${method} failed: ${error.message}`));
        if (method === 'ssubscribe') {
          this.subscribing.add(pending);
          void pending.then(
            () => this.subscribing.delete(pending),
            () => this.subscribing.delete(pending),
          );
        }
        return pending;
      };
    }
  }

  get enabled(): boolean {
    return this.clients !== undefined;
  }

  get command(): Redis {
    return this.require().command;
  }

  get pub(): Redis {
    return this.require().pub;
  }

  get sub(): Redis {
    return this.require().sub;
  }

  /**
   * Socket.IO's sharded Redis adapter (Redis 7 SPUBLISH / SSUBSCRIBE) over the
   * `pub` and `sub` connections, so a room spans every node; undefined
   * without Redis.
   */
  socketIoAdapter(): ReturnType<typeof createShardedAdapter> | undefined {
    if (!this.clients || !this.libraries) return undefined;
    return this.libraries.createShardedAdapter(this.clients.pub, this.clients.sub, { channelPrefix: `${this.prefix}socket.io` });
  }

  /** The prefix of every key and channel. */
  get prefix(): string {
    return this.options.redis?.keyPrefix ?? 'rt:';
  }

  /** True when Redis is not configured, or every connection is ready. */
  get healthy(): boolean {
    return !this.clients || Object.values(this.clients).every((client) => client.status === 'ready');
  }

  /**
   * Resolves once the room subscriptions asked for so far are in place in
   * Redis, or after `timeoutMs` (Redis may be down). The adapter subscribes a
   * node to a room when its first local socket joins; until Redis confirms, a
   * push to that room from another node would not reach this node.
   */
  async subscriptionsSettled(timeoutMs = 1000): Promise<void> {
    if (this.subscribing.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.subscribing]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  async onModuleInit(): Promise<void> {
    if (!this.clients) return;
    const timeoutMs = this.options.redis!.connectTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis at ${redacted(this.options.redis!.url)} was not reachable within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all(Object.values(this.clients).map(whenReady)), timeout]);
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Closes every connection; safe to call more than once. */
  async close(): Promise<void> {
    if (!this.clients || this.closed) return;
    this.closed = true;
    await Promise.all(
      Object.values(this.clients).map(async (client) => {
        try {
          if (client.status === 'ready') await client.quit();
          else client.disconnect();
        } catch {
          client.disconnect();
        }
      }),
    );
  }

  private require(): { command: Redis; pub: Redis; sub: Redis } {
    if (!this.clients) throw new Error('Redis is not configured');
    return this.clients;
  }

  private watch(client: Redis, role: string): Redis {
    client.on('error', (error: Error) => {
      if (this.down || this.closed) return;
      this.down = true;
      this.logger.warn(`Redis unreachable (${role}): ${error.message}; retrying`);
    });
    client.on('ready', () => {
      if (role !== 'command') return;
      if (this.down) {
        this.down = false;
        this.logger.log('Redis is reachable again');
      }
    });
    return client;
  }
}

/** Resolves once the client is ready, connecting it if nothing has yet (a queued command may already have). */
async function whenReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') return void (await client.connect());
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      client.off('end', onEnd);
      resolve();
    };
    const onEnd = () => {
      client.off('ready', onReady);
      reject(new Error('Redis connection ended'));
    };
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}

/** A URL without its password, for logs. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}

import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { createShardedAdapter } from '@socket.io/redis-adapter';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { RetryableFailures } from '../../application/ports/retryable-failures.port.js';
import type { RoomSubscriptions } from '../../application/ports/room-subscriptions.port.js';
import { Outage } from '../../domain/outage.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { loadOptionalPeer } from '../optional-peer.js';

/** The Redis client library and Socket.IO's Redis adapter, loaded only when Redis is configured. */
interface RedisLibraries {
  Redis: typeof Redis;
  Cluster: typeof Cluster;
  createShardedAdapter: typeof createShardedAdapter;
}

/**
 * Loads the Redis client library and Socket.IO's Redis adapter, the optional
 * peers the `redis` option needs; a missing one is named with its install
 * command (`entry: feature needs ...`).
 * @internal
 */
export async function loadRedisLibraries(feature: string, entry?: string): Promise<RedisLibraries> {
  const [{ Redis, Cluster }, { createShardedAdapter }] = await Promise.all([
    loadOptionalPeer('ioredis', feature, () => import('ioredis'), entry),
    loadOptionalPeer('@socket.io/redis-adapter', feature, () => import('@socket.io/redis-adapter'), entry),
  ]);
  return { Redis, Cluster, createShardedAdapter };
}

/** What the clients need of the module's options: where Redis is, and this process's name in connection names. */
export type RedisClientsOptions = Pick<ResolvedWebsocketOptions, 'redis' | 'nodeId'>;

/** Reconnect forever, backing off to 1 s: a node outlives any Redis outage, and is back within about a second of its end. */
const retryStrategy = (attempt: number): number => Math.min(50 * 2 ** attempt, 1000);

/**
 * A connection to Redis: to one server (by URL, or the primary Sentinel
 * names), or to a Redis Cluster, which routes each command to the master of
 * its key's slot. The module's commands work on both: every script and
 * transaction touches keys of one slot.
 * @internal
 */
export type RedisClient = Redis | Cluster;

/**
 * The module's Redis connections, when Redis is configured (one server by
 * URL, the primary Redis Sentinel names, or a Redis Cluster): `command` for
 * state, `pub` and `sub` for the Socket.IO adapter (on a cluster, `sub` holds
 * one connection per master for the sharded channels of its slots). Commands fail fast while
 * Redis is unreachable (no unbounded offline queue), subscriptions wait and
 * are renewed on reconnect. Every client has an error handler; an outage is
 * logged once when it starts and once when it ends.
 *
 * Made by `RedisClients.create`, which imports `ioredis` and the adapter only
 * when Redis is configured: a single node without Redis does not load them
 * (67 CommonJS modules).
 */
export class RedisClients implements RoomSubscriptions, RetryableFailures, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly clients?: { command: RedisClient; pub: RedisClient; sub: RedisClient };
  private readonly outage = new Outage();
  private closed = false;
  /** Room subscriptions the adapter asked for that Redis has not confirmed yet. */
  private readonly subscribing = new Set<Promise<unknown>>();
  /** When the subscriber connection was lost, until its subscriptions are back. */
  private subscriberLostAt?: number;
  private readonly resumedListeners: Array<(since: number) => void> = [];
  private keepAlivePing?: NodeJS.Timeout;

  /** The module's clients for `options` (none without `options.redis`), not yet connected. */
  static async create(options: RedisClientsOptions): Promise<RedisClients> {
    if (!options.redis) return new RedisClients(options);
    return new RedisClients(options, await loadRedisLibraries('the redis option'));
  }

  private constructor(
    private readonly options: RedisClientsOptions,
    private readonly libraries?: RedisLibraries,
  ) {
    if (!options.redis || !libraries) return;
    const { Redis, Cluster } = libraries;
    const { url, sentinels, clusterNodes, name, username, password } = options.redis;
    // Only the credentials that are set: an undefined key would hide the URL's own.
    const credentials: RedisOptions = { ...(username !== undefined && { username }), ...(password !== undefined && { password }) };
    // In Sentinel mode every (re)connection asks the sentinels for the current
    // primary, so a reconnect after a failover finds the promoted replica. A
    // cluster client follows the cluster's slot map, refreshing it on every
    // MOVED answer and after a master fails over.
    const connect = (settings: RedisOptions, cluster: ClusterOptions = {}): RedisClient => {
      if (clusterNodes !== undefined) {
        const { lazyConnect, enableOfflineQueue, enableReadyCheck, ...node } = settings;
        return new Cluster(clusterNodes, {
          ...cluster,
          lazyConnect,
          enableOfflineQueue,
          enableReadyCheck,
          clusterRetryStrategy: retryStrategy,
          // A failover answers CLUSTERDOWN or refuses connections for a moment: retry within the command's time.
          retryDelayOnFailover: 200,
          retryDelayOnClusterDown: 200,
          redisOptions: { ...node, ...credentials },
        });
      }
      return url === undefined
        ? // A sentinel that accepts and never answers must not stall the search for the primary.
          new Redis({ ...settings, ...credentials, sentinels: sentinels!, name, sentinelCommandTimeout: 3000 })
        : new Redis(url, { ...settings, ...credentials });
    };
    // A connection that stops answering (a hang, a half-open connection after a
    // crash, a firewall that drops it silently) is destroyed once a command has
    // waited SOCKET_TIMEOUT_MS for a byte, and replaced: TCP keep-alive alone
    // would take minutes to notice.
    const base: RedisOptions = {
      lazyConnect: true,
      retryStrategy,
      connectTimeout: 5000,
      enableReadyCheck: true,
      socketTimeout: SOCKET_TIMEOUT_MS,
    };
    const failFast: RedisOptions = { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 3000 };
    this.clients = {
      command: this.watch(connect({ ...failFast, connectionName: `${options.nodeId}:command` }), 'command'),
      pub: this.watch(connect({ ...failFast, connectionName: `${options.nodeId}:pub` }), 'pub'),
      // Queued (un)subscriptions must never reject: they wait for the connection.
      // autoResubscribe renews SUBSCRIBE, PSUBSCRIBE and SSUBSCRIBE channels on every ready;
      // on a cluster, one subscriber per master holds the sharded channels of its slots.
      sub: this.watch(
        connect(
          {
            ...base,
            maxRetriesPerRequest: null,
            autoResubscribe: true,
            connectionName: `${options.nodeId}:sub`,
          },
          // After a slot moves, the subscriber re-reads the slot map; a node that has not heard of the
          // move yet answers the old one, and then nothing would re-subscribe the moved slot's rooms.
          // A periodic re-read puts them back within SLOTS_REFRESH_MS.
          { shardedSubscribers: true, slotsRefreshInterval: SLOTS_REFRESH_MS },
        ),
        'sub',
      ),
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

  /** @internal ioredis types stay out of the published declarations: ioredis is an optional peer. */
  get command(): RedisClient {
    return this.require().command;
  }

  /** @internal */
  get pub(): RedisClient {
    return this.require().pub;
  }

  /** @internal */
  get sub(): RedisClient {
    return this.require().sub;
  }

  /**
   * Socket.IO's sharded Redis adapter (Redis 7 SPUBLISH / SSUBSCRIBE) over the
   * `pub` and `sub` connections, so a room spans every node; undefined
   * without Redis.
   * @internal
   */
  socketIoAdapter(): ReturnType<typeof createShardedAdapter> | undefined {
    if (!this.clients || !this.libraries) return undefined;
    return this.libraries.createShardedAdapter(this.clients.pub, this.clients.sub, { channelPrefix: `${this.prefix}socket.io` });
  }

  /** The prefix of every key and channel. */
  get prefix(): string {
    return this.options.redis?.keyPrefix ?? 'rt:';
  }

  /**
   * True when Redis is not configured, or every connection is ready (and, on
   * a cluster, every master answered the last probe: a cluster client stays
   * ready while one master is down and the commands of its slots fail).
   */
  get healthy(): boolean {
    return !this.clients || (Object.values(this.clients).every((client) => client.status === 'ready') && !this.slotsOutage.ongoing);
  }

  /** On a cluster: some slots unserved (a master down) at the last probe. */
  private readonly slotsOutage = new Outage();
  private prober?: NodeJS.Timeout;
  private probing = false;

  /**
   * Pings every master of the cluster client's slot map, and asks one that
   * answers for the cluster's own view: a master the cluster counts as
   * failing (or a slot no master serves) counts until a replica took over.
   */
  private async probeMasters(): Promise<void> {
    const command = this.clients?.command;
    if (!command || !('nodes' in command) || this.probing) return;
    this.probing = true;
    try {
      const masters = command.nodes('master');
      const answers = await Promise.all(masters.map((master) => master.status === 'ready' && timed(master.ping(), PROBE_TIMEOUT_MS)));
      const witness = masters.find((_, index) => answers[index]);
      const info = witness && (await timed(witness.cluster('INFO') as Promise<string>, PROBE_TIMEOUT_MS));
      const served = answers.every(Boolean) && !!info && /cluster_state:ok/.test(info) && !/cluster_slots_p?fail:[1-9]/.test(info);
      if (!served && this.slotsOutage.failed())
        this.logger.warn('Redis Cluster: a master is unreachable; its slots fail until a replica takes over');
      if (served && this.slotsOutage.recovered()) this.logger.log('Redis Cluster: every slot is served again');
    } finally {
      this.probing = false;
    }
  }

  /**
   * Resolves once the room subscriptions asked for so far are in place in
   * Redis, or after `timeoutMs` (Redis may be down). The adapter subscribes a
   * node to a room when its first local socket joins; until Redis confirms, a
   * push to that room from another node would not reach this node.
   */
  async subscriptionsSettled(timeoutMs = 1000): Promise<void> {
    if (this.subscribing.size === 0) return;
    await timed(Promise.allSettled([...this.subscribing]), timeoutMs);
  }

  /**
   * Connects, and waits up to `connectTimeoutMs` for every connection to be
   * ready. A Redis that is not reachable yet does not stop the start: the node
   * starts in an outage (`healthy` false, so `/health/ready` answers 503,
   * local sockets served) and joins when Redis comes. Only credentials that
   * Redis refuses stop it: no retry can fix them.
   */
  async onModuleInit(): Promise<void> {
    if (!this.clients) return;
    const redis = this.options.redis!;
    const clients = Object.values(this.clients);
    let refuse!: (error: Error) => void;
    const refused = new Promise<never>((_, reject) => (refuse = reject));
    refused.catch(() => undefined);
    const onError = (error: Error) => {
      const code = /^(WRONGPASS|NOAUTH|NOPERM)\b/.exec(error.message)?.[1];
      if (code)
        refuse(
          new Error(
            `Redis ${describe(redis)} refused the credentials (${code}): check the redis option's username and password, or the URL's (REDIS_USERNAME, REDIS_PASSWORD)`,
          ),
        );
    };
    for (const client of clients) client.on('error', onError);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, redis.connectTimeoutMs, false)));
    try {
      const ready = await Promise.race([Promise.all(clients.map(whenReady)).then(() => true), refused, late]);
      if (!ready) {
        this.logger.warn(
          `Redis ${describe(redis)} was not reachable within ${redis.connectTimeoutMs} ms; starting without it (not ready until it is) and joining the cluster when it comes`,
        );
      }
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      clearTimeout(timer);
      for (const client of clients) client.off('error', onError);
    }
    if (redis.clusterNodes !== undefined) {
      this.prober = setInterval(() => void this.probeMasters().catch(() => undefined), 1000);
      this.prober.unref();
    }
    this.keepAlive();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Closes every connection; safe to call more than once. */
  async close(): Promise<void> {
    if (!this.clients || this.closed) return;
    this.closed = true;
    clearInterval(this.prober);
    clearInterval(this.keepAlivePing);
    await Promise.all(
      Object.values(this.clients).map(async (client) => {
        // A QUIT that a hung Redis never answers must not hold the shutdown.
        if (client.status === 'ready' && (await timed(client.quit(), QUIT_TIMEOUT_MS)) !== undefined) return;
        client.disconnect();
      }),
    );
  }

  private require(): { command: RedisClient; pub: RedisClient; sub: RedisClient } {
    if (!this.clients) throw new Error('Redis is not configured');
    return this.clients;
  }

  /** A Redis failure a retry may cure: the connection down or timed out, a failover under way, or Redis refusing writes. */
  isRetryable(error: unknown): boolean {
    return isRedisUnavailable(error);
  }

  onResumed(listener: (since: number) => void): void {
    this.resumedListeners.push(listener);
  }

  /**
   * A connection that sends nothing is never found dead: the subscriber
   * waits for pushes (every push to this node would be lost), and the
   * publisher may sit idle until the first push after a fault (lost too).
   * A PING every KEEPALIVE_PING_MS on each connection gives the socket
   * timeout something to time. One server or Sentinel only: a cluster
   * client's node connections are its own, and its failover renews them.
   */
  private keepAlive(): void {
    const clients = Object.values(this.clients ?? {}).filter((client): client is Redis => !('nodes' in client));
    if (clients.length === 0) return;
    this.keepAlivePing = setInterval(() => {
      for (const client of clients) if (client.status === 'ready') client.ping().catch(() => undefined);
    }, KEEPALIVE_PING_MS);
    this.keepAlivePing.unref();
  }

  private watch(client: RedisClient, role: string): RedisClient {
    client.on('error', (error: Error) => {
      if (this.closed || !this.outage.failed()) return;
      this.logger.warn(`Redis unreachable (${role}): ${error.message}; retrying`);
    });
    client.on('ready', () => {
      if (role === 'command' && this.outage.recovered()) this.logger.log('Redis is reachable again');
    });
    if (role === 'sub') {
      client.on('close', () => {
        if (!this.closed) this.subscriberLostAt ??= Date.now();
      });
      // ioredis renews the subscriptions right after 'ready' (through the
      // wrapped ssubscribe, so they are counted in `subscribing`).
      client.on('ready', () => setImmediate(() => void this.resumed()));
    }
    return client;
  }

  /** Tells the listeners once the renewed subscriptions are confirmed: from then on every push arrives again. */
  private async resumed(): Promise<void> {
    const since = this.subscriberLostAt;
    if (since === undefined || this.closed) return;
    await this.subscriptionsSettled(RESUBSCRIBE_TIMEOUT_MS);
    if (this.closed || this.subscriberLostAt !== since || this.clients?.sub.status !== 'ready') return;
    this.subscriberLostAt = undefined;
    for (const listener of this.resumedListeners) {
      try {
        listener(since);
      } catch (error) {
        this.logger.error('A listener of resumed subscriptions failed', (error as Error)?.stack);
      }
    }
  }
}

/**
 * ioredis's own errors for a connection that is down, closing, timed out or
 * lost in the cluster, and Redis's replies for a server that cannot take the
 * command now: out of memory, loading, a failover or resharding under way, a
 * read-only replica, a busy script, a failed disk write.
 */
const UNAVAILABLE_MESSAGE =
  /^(Connection is closed|Stream isn't writeable|Command timed out|Socket timeout|None of startup nodes is available|Failed to refresh slots cache|Too many Cluster redirections|Cluster isn't ready|Reached the max retries per request limit)|^(OOM|LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|BUSY|NOREPLICAS|MISCONF) /;

/** True for a Redis failure that a retry may cure (see `UNAVAILABLE_MESSAGE`); false for anything else, a bug included. */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError' || error.name === 'ClusterAllFailedError') return true;
  // A transaction Redis discarded carries the errors of its commands: out of memory is retryable, a bad command is not.
  const previous = (error as { previousErrors?: unknown }).previousErrors;
  if (/^EXECABORT /.test(error.message) && Array.isArray(previous)) return previous.length > 0 && previous.every(isRedisUnavailable);
  return UNAVAILABLE_MESSAGE.test(error.message);
}

/** How long a command may wait for a byte of its answer before the connection is taken for dead and replaced. */
const SOCKET_TIMEOUT_MS = 2000;
/** How often each connection proves it is alive. */
const KEEPALIVE_PING_MS = 1000;
/** How long a clean close waits for Redis to answer QUIT. */
const QUIT_TIMEOUT_MS = 1000;

/** How long renewed subscriptions have to be confirmed before the listeners are told anyway. */
const RESUBSCRIBE_TIMEOUT_MS = 3000;

/** How long a master has to answer the readiness probe. */
const PROBE_TIMEOUT_MS = 500;
/** How often a cluster subscriber re-reads the slot map, besides after every move it is told of. */
const SLOTS_REFRESH_MS = 2000;

/** What `pending` resolves to within `ms`, or undefined when it rejects or takes longer (the timer keeps no process alive). */
async function timed<T>(pending: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
    timer.unref();
  });
  const result = await Promise.race([pending.catch(() => undefined), late]);
  clearTimeout(timer);
  return result;
}

/**
 * Resolves once the client is ready, connecting it if nothing has yet (a
 * queued command may already have). A failed first attempt does not reject:
 * the client keeps retrying.
 */
async function whenReady(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') client.connect().catch(() => undefined);
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

/** Where Redis is reached, for logs and errors: never a password. */
function describe(redis: NonNullable<ResolvedWebsocketOptions['redis']>): string {
  if (redis.url !== undefined) return `at ${redacted(redis.url)}`;
  if (redis.clusterNodes !== undefined) return `cluster through ${redis.clusterNodes.map(({ host, port }) => `${host}:${port}`).join(',')}`;
  const sentinels = (redis.sentinels ?? []).map(({ host, port }) => `${host}:${port}`).join(',');
  return `primary "${redis.name}" through the sentinels ${sentinels}`;
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

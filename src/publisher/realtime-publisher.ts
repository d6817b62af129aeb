import { hostname } from 'node:os';
import type { PushPayload, RealtimeContract } from '../core/websocket/domain/contract.js';
import { RedisClients } from '../core/websocket/internal.js';
import { resolveRedisOptions, type WebsocketModuleOptions } from '../core/websocket/websocket.options.js';
import type { NotificationsContract } from '../client/contracts.js';
import { Publishable, PublishError, publishTargetSchema, roomsOf, type PublishTarget } from './publishable.js';

/** Options of `createRealtimePublisher`. */
export interface RealtimePublisherOptions {
  /** The same Redis settings as the nodes' `WebsocketModule` (one server, Sentinel or Cluster), key prefix included. */
  redis: NonNullable<WebsocketModuleOptions['redis']>;
  /** The app's own contracts, whose pushes may then be published too (`notification` always may). */
  contracts?: readonly RealtimeContract[];
  /**
   * The nodes have tenants (`JWT_TENANT_CLAIM`): every push then names its
   * tenant, `publisher.inTenant(tenant).toUser(...)`, and a push without one
   * rejects with a `PublishError` (and, without tenants, one with a tenant). @default false
   */
  tenants?: boolean;
}

/** A push as the notifications module delivers it, minus what the publisher adds (`id`, `createdAt`). */
export interface PublishedNotification {
  type: string;
  data: Record<string, unknown>;
}

/** The events of `C` that a publisher may send, with their payloads; `notification` takes `{ type, data }`. */
export type PublishPayload<C extends RealtimeContract, E extends keyof C['pushes'] | 'notification'> = E extends 'notification'
  ? PublishedNotification
  : E extends keyof C['pushes']
    ? PushPayload<C, E>
    : never;

/** Where a push goes, as `toUser`, `toUsers` and `toRoom` name it. */
export interface PublishOperator<C extends RealtimeContract> {
  /**
   * Validates `payload` against the event's schema and hands the push to the
   * Redis adapter, which every node listens to: each socket in the target
   * gets it once, on whichever node it is connected. Rejects with a
   * `PublishError` for an event no contract offers or a payload its schema
   * refuses, and with an `Error` while Redis is unreachable (nothing sent).
   */
  emit<E extends (keyof C['pushes'] & string) | 'notification'>(event: E, payload: PublishPayload<C, E>): Promise<void>;
}

/** The targets of a push: users or a chat room, in one tenant when the nodes have tenants. */
export interface PublishTargets<C extends RealtimeContract = NotificationsContract> {
  /** Every socket of the user, on every node. */
  toUser(userId: string): PublishOperator<C>;
  /** Every socket of each user (at most 1,000 users), each socket once. */
  toUsers(userIds: readonly string[]): PublishOperator<C>;
  /** Every member of a chat room, on every node. */
  toRoom(roomId: string): PublishOperator<C>;
}

/** Pushes from a process that holds no sockets: a worker, a cron job, a script. */
export interface RealtimePublisher<C extends RealtimeContract = NotificationsContract> extends PublishTargets<C> {
  /** The users and rooms of one tenant, when the nodes have tenants (`tenants: true`). */
  inTenant(tenant: string): PublishTargets<C>;
  /** Closes the Redis connections; pushes already handed over are delivered. */
  close(): Promise<void>;
}

/**
 * Connects to the nodes' Redis and returns a publisher (after
 * `redis.connectTimeoutMs` without Redis, one whose pushes reject until Redis
 * comes; refused credentials reject). It speaks the Redis
 * adapter's own channels (a Socket.IO server with the nodes' adapter and no
 * socket of its own), so any node delivers to its local sockets and nothing
 * is delivered twice. Needs the optional peers `ioredis` and
 * `@socket.io/redis-adapter`.
 *
 * @example
 * const publisher = await createRealtimePublisher({ redis: { url: process.env.REDIS_URL! } });
 * await publisher.toUser('alice').emit('notification', { type: 'export.ready', data: { url } });
 * await publisher.close();
 */
export async function createRealtimePublisher<C extends RealtimeContract = NotificationsContract>(
  options: RealtimePublisherOptions,
): Promise<RealtimePublisher<C>> {
  const redis = resolveRedisOptions('createRealtimePublisher', options.redis);
  const publishable = new Publishable(options.contracts);
  const clients = await RedisClients.create({ redis, nodeId: `publisher-${hostname()}-${process.pid}` });
  await clients.onModuleInit();
  const { Server } = await import('socket.io');
  // No HTTP server and no socket: only the adapter, whose broadcasts go to every node.
  const io = new Server({ adapter: clients.socketIoAdapter() });
  let closed = false;
  const tenants = options.tenants ?? false;

  const operator = (target: PublishTarget): PublishOperator<C> => ({
    async emit(event, payload) {
      if (closed) throw new Error('The publisher is closed');
      if ((target.tenant !== undefined) !== tenants) {
        throw new PublishError(
          tenants
            ? 'This publisher serves nodes with tenants: name one, publisher.inTenant(tenant).toUser(...)'
            : 'This publisher serves nodes without tenants: create it with tenants: true to name one',
        );
      }
      const checked = publishTargetSchema.safeParse(target);
      if (!checked.success) {
        throw new PublishError(
          'Not a target: give a user id, 1 to 1,000 user ids, or a room id (and a valid tenant)',
          checked.error.issues,
        );
      }
      const wire = publishable.payloadOf(event, payload);
      // The adapter drops a push it cannot hand to Redis without a word: say so instead.
      if (!clients.healthy) throw new Error('Redis is unreachable: the push was not sent; try again later');
      io.to(roomsOf(checked.data)).emit(event, wire);
    },
  });

  const targets = (tenant: string | undefined): PublishTargets<C> => ({
    toUser: (userId) => operator({ userId, tenant }),
    toUsers: (userIds) => operator({ userIds: [...userIds], tenant }),
    toRoom: (roomId) => operator({ roomId, tenant }),
  });

  return {
    ...targets(undefined),
    inTenant: (tenant) => targets(tenant),
    async close() {
      if (closed) return;
      closed = true;
      // The adapter's subscriptions end with it (the server was never attached, so it has no engine to close).
      await io.of('/').adapter.close();
      await clients.close();
    },
  };
}

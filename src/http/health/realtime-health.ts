import { Injectable } from '@nestjs/common';
import { SocketServerHost } from '../../core/websocket/application/services/socket-server.host.js';
import { RedisClients } from '../../core/websocket/infrastructure/redis/redis-clients.js';

/** One check's result, in the shape `@nestjs/terminus` indicators return. */
export interface HealthDetail {
  status: 'up' | 'down';
  [detail: string]: unknown;
}

/** The checks of the realtime module, by name. */
export interface RealtimeHealthResult {
  websocket: HealthDetail;
  redis: HealthDetail;
}

/**
 * Whether this node can take connections: its socket server is started and,
 * when Redis is configured, every Redis connection is ready. Served by
 * `RealtimeHttpModule` at `GET /health/ready`; an app with its own
 * `@nestjs/terminus` checks can add `check()` to them, since its result has
 * the shape of a terminus indicator's.
 *
 * @example
 * this.health.check([() => this.realtime.check()]);
 */
@Injectable()
export class RealtimeHealth {
  constructor(
    private readonly host: SocketServerHost,
    private readonly redis: RedisClients,
  ) {}

  check(): RealtimeHealthResult {
    return {
      websocket: this.host.started ? { status: 'up' } : { status: 'down', reason: 'the socket server is not started' },
      redis: !this.redis.enabled
        ? { status: 'up', mode: 'single node' }
        : this.redis.healthy
          ? { status: 'up' }
          : { status: 'down', reason: 'Redis is unreachable' },
    };
  }
}

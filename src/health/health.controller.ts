import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { RedisClients, SocketServerHost } from '../core/websocket/index.js';

/** Liveness says the process answers; readiness says it can take connections (503 while a configured Redis is unreachable). */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly host: SocketServerHost,
    private readonly redis: RedisClients,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => {
        const indicator = this.indicators.check('websocket');
        return this.host.started ? indicator.up() : indicator.down({ reason: 'the socket server is not started' });
      },
      () => {
        const indicator = this.indicators.check('redis');
        if (!this.redis.enabled) return indicator.up({ mode: 'single node' });
        return this.redis.healthy ? indicator.up() : indicator.down({ reason: 'Redis is unreachable' });
      },
    ]);
  }
}

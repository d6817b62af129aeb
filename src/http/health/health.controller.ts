import { Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { RealtimeHealth, type HealthDetail } from './realtime-health.js';

/** The body of a health answer, as `@nestjs/terminus` writes it, so probes and dashboards read either. */
export interface HealthReport {
  status: 'ok' | 'error';
  info: Record<string, HealthDetail>;
  error: Record<string, HealthDetail>;
  details: Record<string, HealthDetail>;
}

function report(details: Record<string, HealthDetail>): HealthReport {
  const info: Record<string, HealthDetail> = {};
  const error: Record<string, HealthDetail> = {};
  for (const [name, detail] of Object.entries(details)) (detail.status === 'up' ? info : error)[name] = detail;
  return { status: Object.keys(error).length === 0 ? 'ok' : 'error', info, error, details };
}

/** Liveness says the process answers; readiness says it can take connections (503 while a configured Redis is unreachable). */
@Controller('health')
export class RealtimeHealthController {
  constructor(private readonly health: RealtimeHealth) {}

  @Get('live')
  @Header('Cache-Control', 'no-store')
  live(): HealthReport {
    return report({});
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  ready(): HealthReport {
    const answer = report({ ...this.health.check() });
    if (answer.status === 'error') throw new ServiceUnavailableException(answer);
    return answer;
  }
}

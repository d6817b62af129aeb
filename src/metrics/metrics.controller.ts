import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { RealtimeMetrics } from '../core/websocket/index.js';

/** Prometheus text for this node, on the app's port. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: RealtimeMetrics) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

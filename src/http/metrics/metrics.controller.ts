import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Registry } from 'prom-client';
import { PROMETHEUS_REGISTRY } from './prometheus.registry.js';

/** Prometheus text for this node, on the app's port. Needs `prometheusRegistryProvider` among the module's providers. */
@Controller('metrics')
export class RealtimeMetricsController {
  constructor(
    @Inject(PROMETHEUS_REGISTRY) private readonly registry: Registry,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  scrape(@Res({ passthrough: true }) response: unknown): Promise<string> {
    // The content type belongs to the registry instance (`@Header` takes a constant); set the way `@Header` sets it, on any platform.
    this.adapterHost.httpAdapter.setHeader(response, 'Content-Type', this.registry.contentType);
    return this.registry.metrics();
  }
}

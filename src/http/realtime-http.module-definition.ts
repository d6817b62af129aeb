import { ConfigurableModuleBuilder, type Provider, type Type } from '@nestjs/common';
import { parseModuleOptions } from '../core/websocket/domain/parse-options.js';
import { RealtimeAsyncApiController } from './asyncapi/asyncapi.controller.js';
import { RealtimeAsyncApi } from './asyncapi/asyncapi.service.js';
import { RealtimeHealthController } from './health/health.controller.js';
import { RealtimeHealth } from './health/realtime-health.js';
import { RealtimeMetricsController } from './metrics/metrics.controller.js';
import { prometheusRegistryProvider } from './metrics/prometheus.registry.js';
import { RealtimePublishController } from './publish/publish.controller.js';
import { realtimeHttpOptionsSchema, type RealtimeHttpModuleOptions, type ResolvedRealtimeHttpOptions } from './realtime-http.options.js';

/** Which endpoints the module mounts: decided when the module is declared, since they are controllers. */
export interface RealtimeHttpEndpoints {
  /** `GET /health/live` and `GET /health/ready` (503 while a configured Redis is unreachable). @default true */
  health?: boolean;
  /** `GET /metrics`, Prometheus text; needs the optional peer `prom-client`. @default true */
  metrics?: boolean;
  /** `GET /asyncapi.json`, from every contract the app's handlers declare. @default true */
  asyncapi?: boolean;
  /** `POST /realtime/publish`; answers 404 until `publishApiKey` is set. @default true */
  publish?: boolean;
}

function endpoints(extras: RealtimeHttpEndpoints): { controllers: Type[]; providers: Provider[] } {
  const controllers: Type[] = [];
  const providers: Provider[] = [];
  if (extras.health !== false) controllers.push(RealtimeHealthController);
  // prom-client is loaded by this provider only: an app without /metrics never needs it.
  if (extras.metrics !== false) {
    controllers.push(RealtimeMetricsController);
    providers.push(prometheusRegistryProvider);
  }
  if (extras.asyncapi !== false) {
    controllers.push(RealtimeAsyncApiController);
    providers.push(RealtimeAsyncApi);
  }
  if (extras.publish !== false) controllers.push(RealtimePublishController);
  return { controllers, providers };
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<RealtimeHttpModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras<RealtimeHttpEndpoints>({ health: true, metrics: true, asyncapi: true, publish: true }, (definition, extras) => {
      const mounted = endpoints(extras);
      return {
        ...definition,
        controllers: [...(definition.controllers ?? []), ...mounted.controllers],
        providers: [...(definition.providers ?? []), ...mounted.providers],
      };
    })
    .build();

/** Validates the module's options once; a bad value stops start-up with the option's name in the message. */
export function resolveRealtimeHttpOptions(options: RealtimeHttpModuleOptions): ResolvedRealtimeHttpOptions {
  return parseModuleOptions('RealtimeHttpModule', realtimeHttpOptionsSchema, options);
}

export { RealtimeHealth };

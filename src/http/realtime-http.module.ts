import { Module, type DynamicModule } from '@nestjs/common';
import { RealtimeHealth } from './health/realtime-health.js';
import {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN,
  OPTIONS_TYPE,
  resolveRealtimeHttpOptions,
} from './realtime-http.module-definition.js';
import { REALTIME_HTTP_OPTIONS } from './realtime-http.options.js';

/**
 * The operational endpoints of a realtime app, on its HTTP port:
 * `GET /health/live`, `GET /health/ready`, `GET /metrics` (Prometheus text,
 * with the optional peer `prom-client`) and `GET /asyncapi.json` (the app's
 * wire protocol, from every contract its handlers declare). Needs
 * `WebsocketModule` in the app; turn an endpoint off with `false`.
 *
 * @example
 * RealtimeHttpModule.forRoot({ metrics: false, asyncapiInfo: { title: 'Todo realtime API' } })
 */
@Module({
  providers: [{ provide: REALTIME_HTTP_OPTIONS, useFactory: resolveRealtimeHttpOptions, inject: [MODULE_OPTIONS_TOKEN] }, RealtimeHealth],
  exports: [RealtimeHealth],
})
export class RealtimeHttpModule extends ConfigurableModuleClass {
  /** Every option is optional, so `RealtimeHttpModule.forRoot()` mounts every endpoint with the defaults. */
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return ConfigurableModuleClass.forRoot.call(this, options);
  }
}

export { RealtimeHttpModule } from './realtime-http.module.js';
export type { RealtimeHttpEndpoints } from './realtime-http.module-definition.js';
export type { RealtimeHttpModuleOptions } from './realtime-http.options.js';
export { RealtimeHealth, type HealthDetail, type RealtimeHealthResult } from './health/realtime-health.js';
export type { HealthReport } from './health/health.controller.js';
export { RealtimeAsyncApi } from './asyncapi/asyncapi.service.js';
export { PublishErrorsFilter } from './publish/publish-errors.filter.js';
export { RealtimePublishController } from './publish/publish.controller.js';

import { Module, type DynamicModule } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TerminusModule } from '@nestjs/terminus';
import { APP_CONFIG } from './config/app-config.token.js';
import type { AppConfig } from './config/app.config.js';
import { WebsocketModule } from './core/websocket/index.js';
import { DevTokenController } from './dev-auth/dev-token.controller.js';
import { AsyncApiController } from './asyncapi/asyncapi.controller.js';
import { AsyncApiService } from './asyncapi/asyncapi.service.js';
import { HealthController } from './health/health.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { ChatModule } from './modules/chat/chat.module.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { PresenceModule } from './modules/presence/presence.module.js';

/** The app: the realtime core, the feature modules, health and (in development) the dev token endpoint. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EventEmitterModule.forRoot(),
        TerminusModule,
        WebsocketModule.forRoot(config.websocket),
        ChatModule.forRoot(config.chat),
        PresenceModule.forRoot(config.presence),
        NotificationsModule,
      ],
      controllers: [HealthController, MetricsController, AsyncApiController, ...(config.devAuth ? [DevTokenController] : [])],
      providers: [{ provide: APP_CONFIG, useValue: config }, AsyncApiService],
      exports: [APP_CONFIG],
    };
  }
}

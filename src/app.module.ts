import { Module, type DynamicModule } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { APP_CONFIG } from './config/app-config.token.js';
import type { AppConfig } from './config/app.config.js';
import { WebsocketModule } from './core/websocket/index.js';
import { DevTokenController } from './dev-auth/dev-token.controller.js';
import { RealtimeHttpModule } from './http/index.js';
import { ChatModule } from './modules/chat/index.js';
import { NotificationsModule } from './modules/notifications/index.js';
import { PresenceModule } from './modules/presence/index.js';

/** What `/asyncapi.json` says about this server. */
export const ASYNCAPI_INFO = {
  title: 'nest-realtime',
  version: '1.0.0',
  description: 'The wire protocol, version 1: chat, presence and notifications over one Socket.IO gateway. See docs/protocol.md.',
};

/**
 * The reference server: the package's modules imported as any app imports
 * them, with health, metrics and the AsyncAPI document, and (in development)
 * the dev token endpoint.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EventEmitterModule.forRoot(),
        WebsocketModule.forRoot(config.websocket),
        ChatModule.forRoot(config.chat),
        PresenceModule.forRoot(config.presence),
        NotificationsModule,
        RealtimeHttpModule.forRoot({ asyncapiInfo: ASYNCAPI_INFO, publishApiKey: config.publishApiKey }),
      ],
      controllers: config.devAuth ? [DevTokenController] : [],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}

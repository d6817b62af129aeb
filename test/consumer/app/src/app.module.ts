import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { WebsocketModule } from 'nest-realtime';
import { ChatModule } from 'nest-realtime/chat';
import { RealtimeHttpModule } from 'nest-realtime/http';
import { NotificationsModule } from 'nest-realtime/notifications';
import { PresenceModule } from 'nest-realtime/presence';
import { BlockedUsersPolicy } from './blocked-users.policy.js';
import { TodoModule } from './todo/todo.module.js';

@Module({
  imports: [
    EventEmitterModule.forRoot(),
    WebsocketModule.forRoot({
      // With JWT_TENANT_CLAIM set, every token must name its tenant in that claim, and each tenant is kept apart.
      auth: { secret: process.env.JWT_SECRET, ...(process.env.JWT_TENANT_CLAIM ? { tenantClaim: process.env.JWT_TENANT_CLAIM } : {}) },
      shutdownGraceMs: Number(process.env.SHUTDOWN_GRACE_MS ?? 0),
      redis: process.env.REDIS_URL ? { url: process.env.REDIS_URL } : undefined,
    }),
    ChatModule.forRoot(),
    PresenceModule.forRoot({ offlineGraceMs: 100, visibilityPolicy: BlockedUsersPolicy }),
    NotificationsModule,
    RealtimeHttpModule.forRoot({ asyncapiInfo: { title: 'Todo realtime API' }, publishApiKey: process.env.PUBLISH_API_KEY }),
    TodoModule,
  ],
})
export class AppModule {}

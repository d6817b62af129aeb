import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { WebsocketModule } from 'nest-realtime';
import { ChatModule } from 'nest-realtime/chat';
import { RealtimeHttpModule } from 'nest-realtime/http';
import { NotificationsModule } from 'nest-realtime/notifications';
import { PresenceModule } from 'nest-realtime/presence';
import { TodoModule } from './todo/todo.module.js';

@Module({
  imports: [
    EventEmitterModule.forRoot(),
    WebsocketModule.forRoot({
      auth: { secret: process.env.JWT_SECRET },
      shutdownGraceMs: 0,
      redis: process.env.REDIS_URL ? { url: process.env.REDIS_URL } : undefined,
    }),
    ChatModule.forRoot(),
    PresenceModule.forRoot({ offlineGraceMs: 100 }),
    NotificationsModule,
    RealtimeHttpModule.forRoot({ asyncapiInfo: { title: 'Todo realtime API' }, publishApiKey: process.env.PUBLISH_API_KEY }),
    TodoModule,
  ],
})
export class AppModule {}

import { Module } from '@nestjs/common';
import { ChatMentionListener } from './api/chat-mention.listener.js';
import { NotificationService } from './application/notification.service.js';

/**
 * Server-to-user notifications (`notification` on every socket of the user),
 * raised by explicit listeners of domain events: see docs/notifications.md.
 * Needs `WebsocketModule` and `EventEmitterModule.forRoot()` in the app.
 */
@Module({
  providers: [NotificationService, ChatMentionListener],
  exports: [NotificationService],
})
export class NotificationsModule {}

import { OnEvent } from '@nestjs/event-emitter';
import { RealtimeHandler } from '../../../core/websocket/index.js';
import { ChatEvents, type ChatMessageCreatedEvent } from '../../chat/index.js';
import { NotificationService } from '../application/notification.service.js';
import { notificationsContract } from '../notifications.contract.js';

/**
 * Turns each mention in a new chat message into a `mention` notification for
 * the mentioned user. One explicit listener per domain event that notifies:
 * the mapping lives here, and no internal event reaches clients by accident.
 * It declares the module's wire contract (the `notification` push), which
 * has no requests to route.
 */
@RealtimeHandler({ contract: notificationsContract })
export class ChatMentionListener {
  constructor(private readonly notifications: NotificationService) {}

  @OnEvent(ChatEvents.messageCreated)
  onMessageCreated({ message, mentions }: ChatMessageCreatedEvent): void {
    if (mentions.length === 0) return;
    // Chat already excludes the sender; checked again because notifying
    // someone of their own message is the one mistake users always notice.
    const recipients = mentions.filter((userId) => userId !== message.userId);
    this.notifications.send(recipients, 'mention', {
      roomId: message.roomId,
      messageId: message.id,
      from: message.userId,
      text: message.text,
    });
  }
}

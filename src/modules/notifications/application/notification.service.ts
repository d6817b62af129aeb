import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RealtimeEmitter } from '../../../core/websocket/index.js';
import type { Notification, NotificationKinds, NotificationType } from '../domain/notification.js';

/**
 * Builds notifications and delivers them to users. Listeners of domain events
 * decide who is notified of what; this owns the shape every kind shares
 * (`{ id, type, data, createdAt }`) and the delivery: the user's room, so
 * every device on every node gets it, whatever rooms it joined.
 */
@Injectable()
export class NotificationService {
  constructor(private readonly emitter: RealtimeEmitter) {}

  /** A new notification of `type`, with a fresh id and the current time. */
  build<K extends NotificationType>(type: K, data: NotificationKinds[K]): Notification<K> {
    return { id: randomUUID(), type, data, createdAt: new Date().toISOString() };
  }

  /**
   * Builds one notification per user (each its own id) and emits it as
   * `notification` to all of that user's sockets. Returns what was sent.
   *
   * @example
   * this.notifications.send([userId], 'mention', { roomId, messageId, from, text });
   */
  send<K extends NotificationType>(userIds: Iterable<string>, type: K, data: NotificationKinds[K]): Notification<K>[] {
    const sent: Notification<K>[] = [];
    for (const userId of new Set(userIds)) {
      const notification = this.build(type, data);
      this.emitter.toUser(userId).emit('notification', notification);
      sent.push(notification);
    }
    return sent;
  }
}

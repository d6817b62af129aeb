export { NotificationsModule } from './notifications.module.js';
export { NotificationService } from './application/notification.service.js';
export type { MentionNotificationData, Notification, NotificationKinds, NotificationType } from './domain/notification.js';
export { notificationsContract } from './notifications.contract.js';

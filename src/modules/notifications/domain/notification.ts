/**
 * Every kind of notification and the `data` it carries. A new kind is one
 * line here; `NotificationService.send` then type-checks its data.
 */
export interface NotificationKinds {
  /** `@<userId>` in a chat message. */
  mention: MentionNotificationData;
}

export type NotificationType = keyof NotificationKinds;

export interface MentionNotificationData {
  roomId: string;
  messageId: string;
  /** The sender's user id. */
  from: string;
  /** The message text, whole. */
  text: string;
}

/** What the `notification` event carries to every socket of the user. */
export interface Notification<K extends NotificationType = NotificationType> {
  /** A random UUID: one per recipient, the same on each of their devices, for de-duplication. */
  id: string;
  type: K;
  data: NotificationKinds[K];
  /** ISO-8601 of when the notification was made. */
  createdAt: string;
}

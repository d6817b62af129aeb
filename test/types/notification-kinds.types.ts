// Type-level check (never run): an app adds a kind of notification to the package's
// NotificationService by augmenting NotificationKinds, as docs/notifications.md shows.
import type { NotificationService } from 'nest-realtime/notifications';

declare module 'nest-realtime/notifications' {
  interface NotificationKinds {
    'contact.online': { userId: string; at: string };
  }
}

export function contactOnline(notifications: NotificationService): void {
  notifications.send(['bob'], 'contact.online', { userId: 'alice', at: new Date(0).toISOString() });
  // @ts-expect-error the data of a kind is checked
  notifications.send(['bob'], 'contact.online', { userId: 'alice' });
  // @ts-expect-error an undeclared kind is refused
  notifications.send(['bob'], 'contact.offline', {});
}

import { describe, expect, it } from '@jest/globals';
import * as notifications from './index.js';

describe('notifications public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(notifications).sort()).toEqual(['NotificationService', 'NotificationsModule', 'notificationsContract']);
  });
});

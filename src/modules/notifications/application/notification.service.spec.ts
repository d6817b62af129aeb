import { describe, expect, it } from '@jest/globals';
import type { RealtimeEmitter } from '../../../core/websocket/index.js';
import { NotificationService } from './notification.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function recordingEmitter() {
  const sent: Array<{ userId: string; event: string; payload: unknown }> = [];
  const emitter = { toUser: (userId: string) => ({ emit: (event: string, payload: unknown) => sent.push({ userId, event, payload }) }) };
  return { emitter: emitter as unknown as RealtimeEmitter, sent };
}

describe('NotificationService', () => {
  const data = { roomId: 'general', messageId: '1-0', from: 'alice', text: 'hi @bob' };

  it('builds { id, type, data, createdAt } with a random UUID and an ISO-8601 time', () => {
    const service = new NotificationService(recordingEmitter().emitter);
    const notification = service.build('mention', data);
    expect(notification).toEqual({ id: expect.stringMatching(UUID), type: 'mention', data, createdAt: expect.any(String) });
    expect(new Date(notification.createdAt).toISOString()).toBe(notification.createdAt);
    expect(service.build('mention', data).id).not.toBe(notification.id);
  });

  it('sends `notification` to each user once, each with its own id', () => {
    const { emitter, sent } = recordingEmitter();
    const result = new NotificationService(emitter).send(['bob', 'carol', 'bob'], 'mention', data);
    expect(sent.map(({ userId, event }) => [userId, event])).toEqual([
      ['bob', 'notification'],
      ['carol', 'notification'],
    ]);
    expect(sent.map(({ payload }) => payload)).toEqual(result);
    expect(result[0]!.id).not.toBe(result[1]!.id);
  });

  it('sends nothing to nobody', () => {
    const { emitter, sent } = recordingEmitter();
    expect(new NotificationService(emitter).send([], 'mention', data)).toEqual([]);
    expect(sent).toEqual([]);
  });
});

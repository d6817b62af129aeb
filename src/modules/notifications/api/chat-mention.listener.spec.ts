import { describe, expect, it } from '@jest/globals';
import type { RealtimeEmitter } from '../../../core/websocket/index.js';
import { NotificationService } from '../application/notification.service.js';
import { ChatMentionListener } from './chat-mention.listener.js';

describe('ChatMentionListener', () => {
  function listener() {
    const sent: Array<[string, any]> = [];
    const emitter = { toUser: (userId: string) => ({ emit: (_event: string, payload: unknown) => sent.push([userId, payload]) }) };
    return { listener: new ChatMentionListener(new NotificationService(emitter as unknown as RealtimeEmitter)), sent };
  }
  const message = {
    id: '1700000000000-0',
    roomId: 'general',
    userId: 'alice',
    text: 'hi @bob and @carol',
    sentAt: '2030-01-01T00:00:00.000Z',
  };

  it('notifies each mentioned user of a mention with the message’s room, id, sender and text', () => {
    const { listener: l, sent } = listener();
    l.onMessageCreated({ message, mentions: ['bob', 'carol'] });
    expect(sent.map(([userId]) => userId)).toEqual(['bob', 'carol']);
    expect(sent[0]![1]).toMatchObject({
      type: 'mention',
      data: { roomId: 'general', messageId: message.id, from: 'alice', text: message.text },
    });
  });

  it('never notifies the sender, and each user once', () => {
    const { listener: l, sent } = listener();
    l.onMessageCreated({ message, mentions: ['alice', 'bob', 'bob'] });
    expect(sent.map(([userId]) => userId)).toEqual(['bob']);
  });

  it('sends nothing for a message without mentions', () => {
    const { listener: l, sent } = listener();
    l.onMessageCreated({ message, mentions: [] });
    expect(sent).toEqual([]);
  });
});

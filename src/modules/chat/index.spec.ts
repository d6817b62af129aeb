import * as chat from './index.js';

describe('chat public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(chat).sort()).toEqual([
      'ChatEvents',
      'ChatMessageStore',
      'ChatModule',
      'ClaimsRoomAccessPolicy',
      'IdempotencyStore',
      'InMemoryChatMessageStore',
      'InMemoryIdempotencyStore',
      'RedisChatMessageStore',
      'RedisIdempotencyStore',
      'RoomAccessPolicy',
      'compareMessageIds',
      'isMessageId',
    ]);
  });

  it('names the message-created event as the notifications module relies on it', () => {
    expect(chat.ChatEvents.messageCreated).toBe('chat.message.created');
  });
});

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
      'RoomAccessPolicy',
      'chatContract',
      'chatMessageSchema',
      'chatRoom',
      'compareMessageIds',
      'describeChatMessageStoreContract',
      'describeIdempotencyStoreContract',
      'describeRoomAccessPolicyContract',
      'isMessageId',
    ]);
  });

  it('names a chat room as the chat module joins it, for apps that push to its members', () => {
    expect(chat.chatRoom('lobby')).toBe('chat:lobby');
  });

  it('names the message-created event as the notifications module relies on it', () => {
    expect(chat.ChatEvents.messageCreated).toBe('chat.message.created');
  });
});

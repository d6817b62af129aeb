import { rooms } from '../../../core/websocket/index.js';
import { chatRoomIdsOf } from './chat-rooms.js';

describe('chatRoomIdsOf', () => {
  it('finds the chat rooms among a socket rooms, and nothing else', () => {
    const socketRooms = new Set(['Xk3l_socket-id', rooms.user('ann'), rooms.presence('bob'), rooms.chat('a'), rooms.chat('b.c-d_e')]);
    expect(chatRoomIdsOf(socketRooms)).toEqual(['a', 'b.c-d_e']);
  });
});

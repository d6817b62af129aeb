import { rooms, runInTenant } from '../../../core/websocket/index.js';
import { chatRoom, chatRoomIdsOf } from './chat-rooms.js';

describe('chatRoom', () => {
  it('names a chat room apart from the user rooms of the core', () => {
    expect(chatRoom('lobby')).toBe('chat:lobby');
    expect(chatRoom('ann')).not.toBe(rooms.user('ann'));
  });
});

describe('chatRoomIdsOf', () => {
  it('finds the chat rooms among a socket rooms, and nothing else', () => {
    // A socket id, the core's user room, another feature's room, then two chat rooms.
    const socketRooms = new Set(['Xk3l_socket-id', rooms.user('ann'), 'presence:bob', chatRoom('a'), chatRoom('b.c-d_e')]);
    expect(chatRoomIdsOf(socketRooms)).toEqual(['a', 'b.c-d_e']);
  });

  it('skips a name with the chat prefix whose id no client could have joined', () => {
    expect(chatRoomIdsOf([chatRoom(''), chatRoom('a b'), chatRoom('x'.repeat(65)), chatRoom('ok')])).toEqual(['ok']);
  });
});

describe('chat rooms of a tenant', () => {
  it('names a room in the current tenant, and finds only that tenant’s rooms', () => {
    const acme = runInTenant('acme', chatRoom, 'lobby');
    const globex = runInTenant('globex', chatRoom, 'lobby');
    expect(acme).toBe('chat:acme/lobby');
    expect(globex).not.toBe(acme);
    expect(runInTenant('acme', chatRoomIdsOf, [acme, globex, chatRoom('other')])).toEqual(['lobby']);
    expect(chatRoomIdsOf([acme, globex])).toEqual([]);
  });
});

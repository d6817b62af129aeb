import { runInTenant } from '../core/websocket/domain/tenancy.js';
import { rooms } from '../core/websocket/domain/rooms.js';
import { chatRoom } from '../modules/chat/application/chat-rooms.js';
import { publishTargetSchema, roomsOf } from './publishable.js';

describe('publish targets', () => {
  it('names the rooms of the target’s tenant, as a handler of that tenant would', () => {
    expect(roomsOf({ userId: 'ann', tenant: 'acme' })).toEqual([runInTenant('acme', rooms.user, 'ann')]);
    expect(roomsOf({ userIds: ['ann', 'bob', 'ann'], tenant: 'acme' })).toEqual(['user:acme/ann', 'user:acme/bob']);
    expect(roomsOf({ roomId: 'general', tenant: 'globex' })).toEqual([runInTenant('globex', chatRoom, 'general')]);
  });

  it('names the single namespace’s rooms without a tenant', () => {
    expect(roomsOf({ userId: 'ann' })).toEqual(['user:ann']);
    expect(roomsOf({ roomId: 'general' })).toEqual(['chat:general']);
    // Spelled like tenant acme's user, but named outside any tenant: not hers.
    expect(roomsOf({ userId: 'acme/ann' })).toEqual(['user:/acme/ann']);
  });

  it('refuses a tenant that is not a non-empty string of well-formed Unicode', () => {
    expect(publishTargetSchema.safeParse({ userId: 'ann', tenant: 'a\ud800' }).success).toBe(false);
    expect(publishTargetSchema.safeParse({ userId: 'ann', tenant: 'Acme Corp' }).success).toBe(true);
    expect(publishTargetSchema.safeParse({ userId: 'ann', tenant: '' }).success).toBe(false);
    expect(publishTargetSchema.safeParse({ roomId: 'general', tenant: 'acme' }).success).toBe(true);
  });

  it('refuses a room id no socket could have joined', () => {
    for (const roomId of ['acme/general', '', 'a b', 'x'.repeat(65), 'chat:lobby']) {
      expect(publishTargetSchema.safeParse({ roomId }).success).toBe(false);
    }
    expect(publishTargetSchema.safeParse({ roomId: 'lobby.eu_1-a' }).success).toBe(true);
  });
});

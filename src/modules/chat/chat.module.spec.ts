import { jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { WebsocketModule, type AuthenticatedUser } from '../../core/websocket/index.js';
import { CHAT_OPTIONS } from './chat.module-definition.js';
import { ChatModule } from './chat.module.js';
import { ClaimsRoomAccessPolicy } from './infrastructure/claims-room-access.policy.js';
import { InMemoryChatMessageStore } from './infrastructure/in-memory-chat-message.store.js';
import { InMemoryIdempotencyStore } from './infrastructure/in-memory-idempotency.store.js';
import { ChatMessageStore } from './ports/chat-message-store.port.js';
import { IdempotencyStore } from './ports/idempotency-store.port.js';
import { RoomAccessPolicy } from './ports/room-access-policy.port.js';

@Injectable()
class EveryonePolicy extends RoomAccessPolicy {
  canAccess(_user: AuthenticatedUser, _roomId: string): boolean {
    return true;
  }
}

describe('ChatModule', () => {
  const compile = (chat: ReturnType<typeof ChatModule.forRoot>) =>
    Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), WebsocketModule.forRoot({ auth: { secret: 'a-test-secret' } }), chat],
    }).compile();

  it('works with no options: the claims policy, in-memory stores and the documented defaults', async () => {
    const moduleRef = await compile(ChatModule.forRoot());
    expect(moduleRef.get(RoomAccessPolicy)).toBeInstanceOf(ClaimsRoomAccessPolicy);
    expect(moduleRef.get(ChatMessageStore)).toBeInstanceOf(InMemoryChatMessageStore);
    expect(moduleRef.get(IdempotencyStore)).toBeInstanceOf(InMemoryIdempotencyStore);
    expect(moduleRef.get(CHAT_OPTIONS)).toEqual({ historyPerRoom: 1000, maxRoomsPerSocket: 100 });
    await moduleRef.close();
  });

  it('provides the access policy the app names', async () => {
    const moduleRef = await compile(ChatModule.forRoot({ accessPolicy: EveryonePolicy }));
    expect(moduleRef.get(RoomAccessPolicy)).toBeInstanceOf(EveryonePolicy);
    await moduleRef.close();
  });

  it('takes its options from a factory with forRootAsync', async () => {
    const moduleRef = await compile(ChatModule.forRootAsync({ useFactory: () => ({ historyPerRoom: 7 }), accessPolicy: EveryonePolicy }));
    expect(moduleRef.get(CHAT_OPTIONS)).toEqual({ historyPerRoom: 7, maxRoomsPerSocket: 100 });
    expect(moduleRef.get(RoomAccessPolicy)).toBeInstanceOf(EveryonePolicy);
    await moduleRef.close();
  });

  it('stops start-up on a bad option, naming it', async () => {
    await expect(compile(ChatModule.forRoot({ historyPerRoom: 0 }))).rejects.toThrow(/Invalid ChatModule options: historyPerRoom/);
    await expect(compile(ChatModule.forRoot({ maxRoomsPerSocket: 1.5 }))).rejects.toThrow(/maxRoomsPerSocket/);
  });

  it('stops the idempotency sweep timer when the module is destroyed', async () => {
    const moduleRef = await compile(ChatModule.forRoot());
    const store = moduleRef.get(IdempotencyStore) as InMemoryIdempotencyStore;
    const close = jest.spyOn(store, 'close');
    await moduleRef.close();
    expect(close).toHaveBeenCalled();
  });
});

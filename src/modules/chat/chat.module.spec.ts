import { jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { WebsocketModule, type AuthenticatedUser } from '../../core/websocket/index.js';
import { startRedis, type TestRedis } from '../../testing/redis-server.js';
import { CHAT_OPTIONS } from './chat.options.js';
import { ChatModule } from './chat.module.js';
import { ClaimsRoomAccessPolicy } from './infrastructure/claims-room-access.policy.js';
import { InMemoryChatMessageStore } from './infrastructure/in-memory-chat-message.store.js';
import { InMemoryIdempotencyStore } from './infrastructure/in-memory-idempotency.store.js';
import { RedisChatMessageStore } from './infrastructure/redis-chat-message.store.js';
import { RedisIdempotencyStore } from './infrastructure/redis-idempotency.store.js';
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
      imports: [EventEmitterModule.forRoot(), WebsocketModule.forRoot({ auth: { secret: 'a-test-secret-of-at-least-32-bytes' } }), chat],
    }).compile();

  it('works with no options: the claims policy, in-memory stores and the documented defaults', async () => {
    const moduleRef = await compile(ChatModule.forRoot());
    expect(moduleRef.get(RoomAccessPolicy)).toBeInstanceOf(ClaimsRoomAccessPolicy);
    expect(moduleRef.get(ChatMessageStore)).toBeInstanceOf(InMemoryChatMessageStore);
    expect(moduleRef.get(IdempotencyStore)).toBeInstanceOf(InMemoryIdempotencyStore);
    expect(moduleRef.get(CHAT_OPTIONS)).toEqual({ historyPerRoom: 1000, historyIdleTtlMs: 7_776_000_000, maxRoomsPerSocket: 100 });
    await moduleRef.close();
  });

  it('provides the access policy the app names', async () => {
    const moduleRef = await compile(ChatModule.forRoot({ accessPolicy: EveryonePolicy }));
    expect(moduleRef.get(RoomAccessPolicy)).toBeInstanceOf(EveryonePolicy);
    await moduleRef.close();
  });

  it('takes its options from a factory with forRootAsync', async () => {
    const moduleRef = await compile(ChatModule.forRootAsync({ useFactory: () => ({ historyPerRoom: 7 }), accessPolicy: EveryonePolicy }));
    expect(moduleRef.get(CHAT_OPTIONS)).toEqual({ historyPerRoom: 7, historyIdleTtlMs: 7_776_000_000, maxRoomsPerSocket: 100 });
    expect(moduleRef.get(RoomAccessPolicy)).toBeInstanceOf(EveryonePolicy);
    await moduleRef.close();
  });

  it('stops start-up on a bad option, naming it', async () => {
    await expect(compile(ChatModule.forRoot({ historyPerRoom: 0 }))).rejects.toThrow(/Invalid ChatModule options: historyPerRoom/);
    await expect(compile(ChatModule.forRoot({ maxRoomsPerSocket: 1.5 }))).rejects.toThrow(/maxRoomsPerSocket/);
    await expect(compile(ChatModule.forRoot({ historyIdleTtlMs: -1 }))).rejects.toThrow(/historyIdleTtlMs/);
  });

  it('stops the idempotency sweep timer when the module is destroyed', async () => {
    const moduleRef = await compile(ChatModule.forRoot());
    const store = moduleRef.get(IdempotencyStore) as InMemoryIdempotencyStore;
    const close = jest.spyOn(store, 'close');
    await moduleRef.close();
    expect(close).toHaveBeenCalled();
  });

  describe('with Redis configured in the core', () => {
    let redis: TestRedis;

    beforeAll(async () => {
      redis = await startRedis();
    });

    afterAll(async () => {
      await redis?.stop();
    });

    it('keeps history and idempotency keys in Redis, with the module options', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          EventEmitterModule.forRoot(),
          WebsocketModule.forRoot({
            auth: { secret: 'a-test-secret-of-at-least-32-bytes' },
            redis: { url: redis.url, keyPrefix: 'wired:' },
          }),
          ChatModule.forRoot({ historyPerRoom: 2, historyIdleTtlMs: 60_000 }),
        ],
      }).compile();
      const store = moduleRef.get(ChatMessageStore);
      expect(store).toBeInstanceOf(RedisChatMessageStore);
      expect(moduleRef.get(IdempotencyStore)).toBeInstanceOf(RedisIdempotencyStore);
      const redisStore = store as RedisChatMessageStore;
      expect(redisStore.key('a')).toBe('wired:chat:a:messages');
      expect(redisStore).toMatchObject({ maxPerRoom: 2, idleTtlMs: 60_000 });
      await moduleRef.close();
    });
  });
});

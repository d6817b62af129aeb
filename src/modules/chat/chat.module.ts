import { Module, type DynamicModule } from '@nestjs/common';
import { RedisClients } from '../../core/websocket/internal.js';
import { ChatSessionListener } from './api/chat-session.listener.js';
import { ChatHandlers } from './api/chat.handlers.js';
import { ChatService } from './application/chat.service.js';
import { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, resolveChatOptions } from './chat.module-definition.js';
import { CHAT_OPTIONS, type ResolvedChatOptions } from './chat.options.js';
import { InMemoryChatMessageStore } from './infrastructure/in-memory-chat-message.store.js';
import { InMemoryIdempotencyStore } from './infrastructure/in-memory-idempotency.store.js';
import { RedisChatMessageStore } from './infrastructure/redis-chat-message.store.js';
import { RedisIdempotencyStore } from './infrastructure/redis-idempotency.store.js';
import { ChatMessageStore } from './ports/chat-message-store.port.js';
import { IdempotencyStore } from './ports/idempotency-store.port.js';
import { RoomAccessPolicy } from './ports/room-access-policy.port.js';

/**
 * Chat rooms over the realtime core: `chat:join`, `chat:leave`, `chat:send`,
 * `chat:typing` and `chat:history`, with a replaceable room access policy.
 * Needs `WebsocketModule` (global, as it is by default) and
 * `EventEmitterModule.forRoot()` in the app. When the core has Redis, history
 * and idempotent sends are kept there, shared by every node; otherwise in memory.
 *
 * @example
 * ChatModule.forRoot({ historyPerRoom: 500, accessPolicy: MembershipPolicy, imports: [MembershipModule] })
 */
@Module({
  providers: [
    { provide: CHAT_OPTIONS, useFactory: resolveChatOptions, inject: [MODULE_OPTIONS_TOKEN] },
    // With Redis configured in the core, history and idempotency keys are shared by every node.
    {
      provide: ChatMessageStore,
      useFactory: (options: ResolvedChatOptions, redis: RedisClients) =>
        redis.enabled
          ? new RedisChatMessageStore(redis, { maxPerRoom: options.historyPerRoom, idleTtlMs: options.historyIdleTtlMs })
          : new InMemoryChatMessageStore({ maxPerRoom: options.historyPerRoom, idleTtlMs: options.historyIdleTtlMs }),
      inject: [CHAT_OPTIONS, RedisClients],
    },
    {
      provide: IdempotencyStore,
      useFactory: (redis: RedisClients) => (redis.enabled ? new RedisIdempotencyStore(redis) : new InMemoryIdempotencyStore()),
      inject: [RedisClients],
    },
    ChatService,
    ChatHandlers,
    ChatSessionListener,
  ],
  exports: [RoomAccessPolicy, ChatMessageStore],
})
export class ChatModule extends ConfigurableModuleClass {
  /** Every option is optional, so `ChatModule.forRoot()` is the default chat. */
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return ConfigurableModuleClass.forRoot.call(this, options);
  }
}

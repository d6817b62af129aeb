import { Module, type DynamicModule } from '@nestjs/common';
import { ChatSessionListener } from './api/chat-session.listener.js';
import { ChatHandlers } from './api/chat.handlers.js';
import { ChatService } from './application/chat.service.js';
import { CHAT_OPTIONS, ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, resolveChatOptions } from './chat.module-definition.js';
import type { ResolvedChatOptions } from './chat.options.js';
import { InMemoryChatMessageStore } from './infrastructure/in-memory-chat-message.store.js';
import { InMemoryIdempotencyStore } from './infrastructure/in-memory-idempotency.store.js';
import { ChatMessageStore } from './ports/chat-message-store.port.js';
import { IdempotencyStore } from './ports/idempotency-store.port.js';
import { RoomAccessPolicy } from './ports/room-access-policy.port.js';

/**
 * Chat rooms over the realtime core: `chat:join`, `chat:leave`, `chat:send`,
 * `chat:typing` and `chat:history`, with a replaceable room access policy.
 * Needs `WebsocketModule` and `EventEmitterModule.forRoot()` in the app.
 *
 * @example
 * ChatModule.forRoot({ historyPerRoom: 500, accessPolicy: MembershipPolicy, imports: [MembershipModule] })
 */
@Module({
  providers: [
    { provide: CHAT_OPTIONS, useFactory: resolveChatOptions, inject: [MODULE_OPTIONS_TOKEN] },
    {
      provide: ChatMessageStore,
      useFactory: (options: ResolvedChatOptions) => new InMemoryChatMessageStore({ maxPerRoom: options.historyPerRoom }),
      inject: [CHAT_OPTIONS],
    },
    { provide: IdempotencyStore, useFactory: () => new InMemoryIdempotencyStore() },
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

import type { ChatMessage } from './chat-message.js';

/** In-process domain events of the chat module, published on EventEmitter2. Never sent to clients as they are. */
export const ChatEvents = {
  /** A message was stored (a retried idempotent send raises nothing): `ChatMessageCreatedEvent`. */
  messageCreated: 'chat.message.created',
} as const;

export interface ChatMessageCreatedEvent {
  message: ChatMessage;
  /** Distinct user ids mentioned as `@<userId>` in the text, in order of appearance, without the sender; at most 20. */
  mentions: string[];
}

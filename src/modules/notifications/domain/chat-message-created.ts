/**
 * The chat module's `chat.message.created` event, as this module relies on it.
 * Mirrored structurally rather than imported, because the chat module has no
 * public index yet and deep imports into another feature are not allowed;
 * once `src/modules/chat/index.ts` exports `ChatEvents` and
 * `ChatMessageCreatedEvent`, import them from there and delete this file.
 */
export const CHAT_MESSAGE_CREATED = 'chat.message.created';

export interface ChatMessageCreatedEvent {
  message: {
    id: string;
    roomId: string;
    userId: string;
    text: string;
    clientMsgId?: string;
    /** ISO-8601. */
    sentAt: string;
  };
  /** Distinct mentioned user ids, without the sender. */
  mentions: string[];
}

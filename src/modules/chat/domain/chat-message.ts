/** One stored chat message, exactly as clients and listeners see it. */
export interface ChatMessage {
  /** Opaque, increasing in the order the server accepted the room's messages (`<ms>-<seq>`). */
  id: string;
  roomId: string;
  userId: string;
  text: string;
  /** The sender's idempotency key, when the send carried one. */
  clientMsgId?: string;
  /** ISO-8601 instant the server accepted the message. */
  sentAt: string;
}

/** What a sender supplies; the store adds `id`, `roomId` and `sentAt`. */
export interface NewChatMessage {
  userId: string;
  text: string;
  clientMsgId?: string;
}

import type { ChatMessage, NewChatMessage } from '../domain/chat-message.js';

export { compareMessageIds, isMessageId } from '../domain/message-id.js';

/** A page request: at most one of `before` and `after`, each a well-formed message id. */
export interface HistoryQuery {
  /** The newest `limit` messages older than this id. */
  before?: string;
  /** The oldest `limit` messages newer than this id. */
  after?: string;
  /** A positive integer. */
  limit: number;
}

export interface HistoryPage {
  /** Oldest first. */
  messages: ChatMessage[];
  /** Whether messages remain beyond the page: older ones (`before`, or no cursor), newer ones (`after`). */
  hasMore: boolean;
}

/**
 * Every room's messages in acceptance order. The in-memory twin serves one
 * node; a Redis Streams twin (`XADD` / `XREVRANGE` / `XRANGE`) can serve the
 * cluster with the same `<ms>-<seq>` ids. Both run `describeChatMessageStoreContract`.
 *
 * A cursor is a position, not a reference: a well-formed id with no message
 * behind it (never sent, or already dropped) still pages from where it would be.
 * A malformed id, or both cursors at once, rejects with a `RangeError`.
 *
 * Rooms are kept per tenant: an adapter keys a room by `scopedKey(roomId)`
 * (the id scoped to the tenant of the request it serves), while the messages
 * carry the plain `roomId`. The contract suite checks it.
 *
 * The messages it returns are the caller's to read, not to change: an adapter
 * may hand out frozen messages it keeps (the in-memory one does, so a page
 * costs no copies) or fresh ones; either way a change cannot reach what is
 * stored.
 */
export abstract class ChatMessageStore {
  /** Stores a message with an id greater than every earlier id of the room, and returns it. */
  abstract append(roomId: string, message: NewChatMessage): Promise<ChatMessage>;
  /** One page of the room's history. A room with no messages has an empty page. */
  abstract history(roomId: string, query: HistoryQuery): Promise<HistoryPage>;
}

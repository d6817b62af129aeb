import type { ChatMessage, NewChatMessage } from '../domain/chat-message.js';
import { compareMessageIds, formatMessageId, isMessageId } from '../domain/message-id.js';
import { ChatMessageStore, type HistoryPage, type HistoryQuery } from '../ports/chat-message-store.port.js';
import { scopedKey } from '../../../core/websocket/internal.js';

export interface InMemoryChatMessageStoreOptions {
  /** Messages kept per room; the oldest are dropped first. @default 1000 */
  maxPerRoom?: number;
  /** A room nobody wrote to for this long is forgotten; 0 keeps every room. @default 0 */
  idleTtlMs?: number;
  /** The clock ids and `sentAt` are read from (tests pass their own). @default Date.now */
  now?: () => number;
}

/**
 * An append looks for idle rooms at most this often, dropping up to
 * `PRUNE_BATCH` of them. A walk from the start of a Map steps over the slots
 * of every key deleted since it last rehashed, and each append deletes one (it
 * moves its room to the end): walked on every append, that cost grew with the
 * number of rooms (6 µs an append at 10,000, 21 µs at 100,000).
 */
const PRUNE_EVERY_MS = 1000;
const PRUNE_BATCH = 1000;

interface Room {
  /**
   * Ascending by id: the room's history is the last `maxPerRoom`; older ones
   * wait to be dropped in a batch (an eighth of `maxPerRoom`, at least 16), so
   * an append moves the array's elements once per batch, not every time.
   */
  messages: ChatMessage[];
  lastMs: number;
  lastSeq: number;
  /** When the last message was appended, on the store's clock. */
  writtenAt: number;
}

/**
 * The embedded store: one process, each room a bounded array in acceptance
 * order. A room nobody wrote to for `idleTtlMs` is forgotten: the map's order
 * is the order of the last append, and every append looks at the rooms idle
 * longest, so memory follows the rooms written to within the TTL.
 */
export class InMemoryChatMessageStore extends ChatMessageStore {
  private readonly rooms = new Map<string, Room>();
  private prunedAt = Number.NEGATIVE_INFINITY;
  private readonly maxPerRoom: number;
  private readonly dropBatch: number;
  private readonly idleTtlMs: number;
  private readonly now: () => number;

  constructor(options: InMemoryChatMessageStoreOptions = {}) {
    super();
    this.maxPerRoom = options.maxPerRoom ?? 1000;
    this.dropBatch = Math.max(16, Math.ceil(this.maxPerRoom / 8));
    this.idleTtlMs = options.idleTtlMs ?? 0;
    this.now = options.now ?? Date.now;
    if (!Number.isInteger(this.maxPerRoom) || this.maxPerRoom < 1) throw new RangeError('maxPerRoom must be a positive integer');
    if (!Number.isInteger(this.idleTtlMs) || this.idleTtlMs < 0) throw new RangeError('idleTtlMs must be a non-negative integer');
  }

  /** How many rooms it holds (for tests). */
  get size(): number {
    return this.rooms.size;
  }

  async append(roomId: string, draft: NewChatMessage): Promise<ChatMessage> {
    this.prune();
    // Kept under the room id scoped to the current tenant; the message carries the plain id.
    const key = scopedKey(roomId);
    let room = this.liveRoom(key);
    if (room) this.rooms.delete(key);
    else room = { messages: [], lastMs: -1, lastSeq: -1, writtenAt: 0 };
    room.writtenAt = this.now();
    this.rooms.set(key, room);
    // Like Redis Streams: a clock that goes back never makes an id go back.
    const ms = Math.max(this.now(), room.lastMs);
    const seq = ms === room.lastMs ? room.lastSeq + 1 : 0;
    room.lastMs = ms;
    room.lastSeq = seq;
    // Frozen: the store hands this very object out, and no caller can change what it keeps.
    const message: ChatMessage = Object.freeze({
      id: formatMessageId(ms, seq),
      roomId,
      userId: draft.userId,
      text: draft.text,
      ...(draft.clientMsgId !== undefined && { clientMsgId: draft.clientMsgId }),
      sentAt: new Date(ms).toISOString(),
    });
    room.messages.push(message);
    if (room.messages.length > this.maxPerRoom + this.dropBatch) room.messages.splice(0, room.messages.length - this.maxPerRoom);
    return message;
  }

  async history(roomId: string, query: HistoryQuery): Promise<HistoryPage> {
    assertQuery(query);
    const messages = this.liveRoom(scopedKey(roomId))?.messages ?? [];
    // The first message of the history; those before it are past maxPerRoom.
    const first = Math.max(0, messages.length - this.maxPerRoom);
    const { before, after, limit } = query;
    let start: number;
    let end: number;
    let hasMore: boolean;
    if (after !== undefined) {
      start = firstIndex(messages, first, (id) => compareMessageIds(id, after) > 0);
      end = Math.min(messages.length, start + limit);
      hasMore = end < messages.length;
    } else {
      end = before === undefined ? messages.length : firstIndex(messages, first, (id) => compareMessageIds(id, before) >= 0);
      start = Math.max(first, end - limit);
      hasMore = start > first;
    }
    return { messages: messages.slice(start, end), hasMore };
  }

  /** The room under its scoped key, unless it idled past the TTL (then it is forgotten). */
  private liveRoom(key: string): Room | undefined {
    const room = this.rooms.get(key);
    if (room && this.idle(room)) {
      this.rooms.delete(key);
      return undefined;
    }
    return room;
  }

  private idle(room: Room): boolean {
    return this.idleTtlMs > 0 && this.now() - room.writtenAt >= this.idleTtlMs;
  }

  /** Forgets the longest-idle rooms that passed the TTL (the map is in the order of the last append). */
  private prune(): void {
    if (this.idleTtlMs === 0) return;
    const now = this.now();
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    let dropped = 0;
    for (const [roomId, room] of this.rooms) {
      if (dropped++ === PRUNE_BATCH || !this.idle(room)) return;
      this.rooms.delete(roomId);
    }
  }
}

function assertQuery({ before, after, limit }: HistoryQuery): void {
  if (before !== undefined && after !== undefined) throw new RangeError('A history query takes before or after, not both');
  for (const cursor of [before, after]) {
    if (cursor !== undefined && !isMessageId(cursor)) throw new RangeError(`Not a message id: ${JSON.stringify(cursor)}`);
  }
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
}

/** Binary search from `low`: the first index whose id satisfies `atOrPast` (which turns true once and stays true), or `length`. */
function firstIndex(messages: readonly ChatMessage[], low: number, atOrPast: (id: string) => boolean): number {
  let high = messages.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (atOrPast(messages[middle].id)) high = middle;
    else low = middle + 1;
  }
  return low;
}

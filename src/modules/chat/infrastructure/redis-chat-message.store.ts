import type { RedisClients } from '../../../core/websocket/internal.js';
import type { ChatMessage, NewChatMessage } from '../domain/chat-message.js';
import { isMessageId } from '../domain/message-id.js';
import { ChatMessageStore, type HistoryPage, type HistoryQuery } from '../ports/chat-message-store.port.js';
import { scopedKey } from '../../../core/websocket/internal.js';

export interface RedisChatMessageStoreOptions {
  /** Messages kept per room, trimmed exactly (`MAXLEN =`); the oldest are dropped first. @default 1000 */
  maxPerRoom?: number;
  /**
   * A room's stream is deleted once no message was appended to it for this
   * long (the expiry is renewed by every append); 0 keeps it until Redis
   * itself evicts it. @default 0
   */
  idleTtlMs?: number;
}

/** The part of the core's `RedisClients` the store uses. @internal (ioredis is an optional peer: its types stay out of the published declarations) */
export type RedisCommandSource = Pick<RedisClients, 'command' | 'prefix'>;

/**
 * KEYS: the room's stream. ARGV: maxPerRoom, the entry's JSON, idleTtlMs (0: none).
 * One script, so the entry and the renewed expiry are one step with one
 * answer. Exact trimming keeps the bound the in-memory twin keeps; dropping
 * one entry per append is cheap.
 */
const APPEND = `local id = redis.call('XADD', KEYS[1], 'MAXLEN', '=', ARGV[1], '*', 'm', ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return id`;

/** The largest part of a stream id Redis accepts (an unsigned 64-bit integer). */
const MAX_PART = 18446744073709551615n;

/** Stream entries as ioredis returns them: the id, then field, value, field, value. */
type Entry = [id: string, fields: string[]];

/** What a stream entry holds besides its id; the room is the key and `sentAt` the id's milliseconds. */
interface StoredBody {
  userId: string;
  text: string;
  clientMsgId?: string;
}

/**
 * The cluster store: one Redis Stream per room, `<prefix>chat:<roomId>:messages`.
 * Redis assigns the `<ms>-<seq>` id on `XADD`, so ids increase in the order
 * Redis accepted the messages, whichever node sent them, and `sentAt` is that
 * id's millisecond on the Redis clock. Each entry has one field, `m`, holding
 * the sender's part as JSON: JSON escapes lone surrogates, so every string a
 * client can send comes back unchanged (plain UTF-8 fields would not).
 */
export class RedisChatMessageStore extends ChatMessageStore {
  private readonly maxPerRoom: number;
  private readonly idleTtlMs: number;

  /** @internal */
  constructor(
    private readonly redis: RedisCommandSource,
    options: RedisChatMessageStoreOptions = {},
  ) {
    super();
    this.maxPerRoom = options.maxPerRoom ?? 1000;
    this.idleTtlMs = options.idleTtlMs ?? 0;
    if (!Number.isInteger(this.maxPerRoom) || this.maxPerRoom < 1) throw new RangeError('maxPerRoom must be a positive integer');
    if (!Number.isInteger(this.idleTtlMs) || this.idleTtlMs < 0) throw new RangeError('idleTtlMs must be a non-negative integer');
  }

  /** The stream of one room (of the current tenant). */
  key(roomId: string): string {
    return `${this.redis.prefix}chat:${scopedKey(roomId)}:messages`;
  }

  async append(roomId: string, draft: NewChatMessage): Promise<ChatMessage> {
    const body: StoredBody = {
      userId: draft.userId,
      text: draft.text,
      ...(draft.clientMsgId !== undefined && { clientMsgId: draft.clientMsgId }),
    };
    const key = this.key(roomId);
    const id = (await this.redis.command.eval(APPEND, 1, key, this.maxPerRoom, JSON.stringify(body), this.idleTtlMs)) as string | null;
    if (!id) throw new Error(`Redis stored no entry in ${key}`);
    return toMessage(roomId, id, body);
  }

  async history(roomId: string, query: HistoryQuery): Promise<HistoryPage> {
    assertQuery(query);
    const { before, after, limit } = query;
    const key = this.key(roomId);
    // One entry past the page tells whether more remain.
    const count = limit + 1;
    let entries: Entry[];
    if (after !== undefined) {
      const start = startAfter(after);
      entries = start === undefined ? [] : ((await this.redis.command.xrange(key, start, '+', 'COUNT', count)) as Entry[]);
      const hasMore = entries.length > limit;
      return { messages: entries.slice(0, limit).map((entry) => fromEntry(roomId, entry)), hasMore };
    }
    const end = before === undefined ? '+' : endBefore(before);
    entries = end === undefined ? [] : ((await this.redis.command.xrevrange(key, end, '-', 'COUNT', count)) as Entry[]);
    const hasMore = entries.length > limit;
    return {
      messages: entries
        .slice(0, limit)
        .reverse()
        .map((entry) => fromEntry(roomId, entry)),
      hasMore,
    };
  }
}

function toMessage(roomId: string, id: string, body: StoredBody): ChatMessage {
  return {
    id,
    roomId,
    userId: body.userId,
    text: body.text,
    ...(body.clientMsgId !== undefined && { clientMsgId: body.clientMsgId }),
    sentAt: new Date(Number(id.slice(0, id.indexOf('-')))).toISOString(),
  };
}

function fromEntry(roomId: string, [id, fields]: Entry): ChatMessage {
  const index = fields.indexOf('m');
  if (index < 0 || index % 2 !== 0) throw new Error(`Stream entry ${id} of room ${JSON.stringify(roomId)} has no message field`);
  return toMessage(roomId, id, JSON.parse(fields[index + 1]!) as StoredBody);
}

function assertQuery({ before, after, limit }: HistoryQuery): void {
  if (before !== undefined && after !== undefined) throw new RangeError('A history query takes before or after, not both');
  for (const cursor of [before, after]) {
    if (cursor !== undefined && !isMessageId(cursor)) throw new RangeError(`Not a message id: ${JSON.stringify(cursor)}`);
  }
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
}

function parts(id: string): [ms: bigint, seq: bigint] {
  const dash = id.indexOf('-');
  return [BigInt(id.slice(0, dash)), BigInt(id.slice(dash + 1))];
}

/*
 * A cursor is a position, and message ids allow 20-digit parts that Redis
 * refuses past 2^64 - 1, so the two helpers below turn a cursor into a bound
 * Redis accepts for the same position, or into `undefined` when no stream id
 * lies on that side of it.
 */

/** The `XREVRANGE` end for "older than `before`". */
function endBefore(before: string): string | undefined {
  const [ms, seq] = parts(before);
  if (ms > MAX_PART) return '+';
  if (seq > MAX_PART) return `${ms}-${MAX_PART}`;
  if (ms === 0n && seq === 0n) return undefined;
  return `(${before}`;
}

/** The `XRANGE` start for "newer than `after`". */
function startAfter(after: string): string | undefined {
  const [ms, seq] = parts(after);
  if (ms > MAX_PART) return undefined;
  if (seq >= MAX_PART) return ms === MAX_PART ? undefined : `${ms + 1n}-0`;
  return `(${after}`;
}

import type { RedisClients } from '../../../core/websocket/index.js';
import type { PresenceEntry, PresenceStatus, SettableStatus } from '../domain/presence-entry.js';
import type { PresenceLedger } from '../ports/presence-ledger.port.js';
import { PresenceStore } from '../ports/presence-store.port.js';

/*
 * Keys (prefix P, the core's `RedisClients.prefix`):
 *   P presence:user:<userId>  HASH status, since (epoch ms), leftAt (epoch ms, while an offline is pending)
 *   P presence:pending        ZSET userId -> deadline (epoch ms, Redis's clock)
 *   P presence:present        SET  users whose status is not offline, walked by the janitor
 *   P presence:scan           STRING the janitor's SSCAN cursor, shared by every node
 *   P user:<userId>           the core registry's HASH socketId -> nodeId: read here (HLEN), never written
 * Every transition is one Lua script, so it is atomic with the registry count it reads.
 */

// Redis's clock, so deadlines do not depend on which node's clock set them.
const NOW_MS = `local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Writes a status and keeps the janitor's set in step; answers { status, since } for `toEntry`.
const WRITE = `
local function write(key, present, userId, status, since)
  redis.call('HSET', key, 'status', status, 'since', since)
  if status == 'offline' then redis.call('SREM', present, userId) else redis.call('SADD', present, userId) end
  return { status, since }
end
local function ms(n) return string.format('%.0f', n) end`;

/** KEYS: presence, present. ARGV: userId, at. */
const MARK_ONLINE = `${WRITE}
local status = redis.call('HGET', KEYS[1], 'status')
if status and status ~= 'offline' then return false end
return write(KEYS[1], KEYS[2], ARGV[1], 'online', ARGV[2])`;

/** KEYS: presence, present. ARGV: userId, at. */
const MARK_OFFLINE = `${WRITE}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'offline' then return false end
return write(KEYS[1], KEYS[2], ARGV[1], 'offline', ARGV[2])`;

/** KEYS: presence, present. ARGV: userId, status, at. */
const SET_STATUS = `${WRITE}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'offline' or status == ARGV[2] then return false end
return write(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])`;

/**
 * KEYS: registry user, presence, pending, present. ARGV: userId, at, graceMs.
 * The registry has the last word: with a socket the user is present (and no
 * offline is pending); without one a connected user is due to go offline.
 */
const RECONCILE = `${WRITE}
local function now() ${NOW_MS} end
local sockets, presence, pending, present = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local userId, at, grace = ARGV[1], ARGV[2], tonumber(ARGV[3])
local status = redis.call('HGET', presence, 'status')
if redis.call('HLEN', sockets) > 0 then
  redis.call('ZREM', pending, userId)
  redis.call('HDEL', presence, 'leftAt')
  if status and status ~= 'offline' then return false end
  -- A late retry never moves lastSeenAt back past the offline it ends.
  local since = redis.call('HGET', presence, 'since')
  if since and tonumber(since) > tonumber(at) then at = since end
  return write(presence, present, userId, 'online', at)
end
if not status or status == 'offline' then
  redis.call('ZREM', pending, userId)
  return false
end
redis.call('ZADD', pending, ms(now() + grace), userId)
redis.call('HSET', presence, 'leftAt', at)
return false`;

/**
 * KEYS: pending, present, scan cursor. ARGV: prefix, due batch, graceMs, janitor batch.
 * Claims due entries (ZREM inside the script: one claimer each) and takes
 * offline those still without a socket; then walks a batch of present users
 * and starts the grace of any that has no socket and no pending offline.
 * Answers { userId, since, ... } for the users it took offline.
 */
const SWEEP = `${WRITE}
local function now() ${NOW_MS} end
local pending, present, cursorKey = KEYS[1], KEYS[2], KEYS[3]
local prefix, limit, grace, count = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local t = now()
local settled = {}
for _, userId in ipairs(redis.call('ZRANGEBYSCORE', pending, '-inf', ms(t), 'LIMIT', 0, limit)) do
  redis.call('ZREM', pending, userId)
  local presence = prefix .. 'presence:user:' .. userId
  local leftAt = redis.call('HGET', presence, 'leftAt') or ms(t)
  redis.call('HDEL', presence, 'leftAt')
  local status = redis.call('HGET', presence, 'status')
  if status and status ~= 'offline' and redis.call('HLEN', prefix .. 'user:' .. userId) == 0 then
    write(presence, present, userId, 'offline', leftAt)
    settled[#settled + 1] = userId
    settled[#settled + 1] = leftAt
  end
end
local scan = redis.call('SSCAN', present, redis.call('GET', cursorKey) or '0', 'COUNT', count)
redis.call('SET', cursorKey, scan[1])
for _, userId in ipairs(scan[2]) do
  local presence = prefix .. 'presence:user:' .. userId
  local status = redis.call('HGET', presence, 'status')
  if not status or status == 'offline' then
    redis.call('SREM', present, userId)
  elseif redis.call('HLEN', prefix .. 'user:' .. userId) == 0 and not redis.call('ZSCORE', pending, userId) then
    redis.call('ZADD', pending, ms(t + grace), userId)
    redis.call('HSET', presence, 'leftAt', ms(t))
  end
end
return settled`;

/** Most due entries one sweep claims, and how many present users it re-checks. */
const DUE_BATCH = 500;
const JANITOR_BATCH = 100;

type Stored = [status: string, since: string];

/**
 * The cluster's presence: the `PresenceStore` twin in Redis, and the
 * `PresenceLedger` that decides grace periods against the core's connection
 * registry (it reads the registry's `user:<userId>` hashes inside its scripts,
 * which is what makes "no socket left" and "offline" one atomic step).
 * User ids are used as they are inside key names, like the registry does.
 */
export class RedisPresenceStore extends PresenceStore implements PresenceLedger {
  constructor(
    private readonly redis: RedisClients,
    private readonly offlineGraceMs: number,
  ) {
    super();
  }

  async get(userIds: readonly string[]): Promise<PresenceEntry[]> {
    if (userIds.length === 0) return [];
    const replies = await this.redis.command.pipeline(userIds.map((userId) => ['hmget', this.presenceKey(userId), 'status', 'since'])).exec();
    return userIds.map((userId, i) => {
      const [error, stored] = replies![i]! as [Error | null, [string | null, string | null]];
      if (error) throw error;
      const [status, since] = stored;
      return status && since ? toEntry(userId, [status, since]) : { userId, status: 'offline', lastSeenAt: null };
    });
  }

  markOnline(userId: string, at: number): Promise<PresenceEntry | null> {
    return this.transition(userId, MARK_ONLINE, [this.presenceKey(userId), this.presentKey], [userId, at]);
  }

  markOffline(userId: string, at: number): Promise<PresenceEntry | null> {
    return this.transition(userId, MARK_OFFLINE, [this.presenceKey(userId), this.presentKey], [userId, at]);
  }

  setStatus(userId: string, status: SettableStatus, at: number): Promise<PresenceEntry | null> {
    return this.transition(userId, SET_STATUS, [this.presenceKey(userId), this.presentKey], [userId, status, at]);
  }

  reconcile(userId: string, at: number): Promise<PresenceEntry | null> {
    const keys = [this.registryKey(userId), this.presenceKey(userId), this.pendingKey, this.presentKey];
    return this.transition(userId, RECONCILE, keys, [userId, at, this.offlineGraceMs]);
  }

  async settleDue(): Promise<PresenceEntry[]> {
    const reply = (await this.redis.command.eval(
      SWEEP,
      3,
      this.pendingKey,
      this.presentKey,
      `${this.prefix}presence:scan`,
      this.prefix,
      DUE_BATCH,
      this.offlineGraceMs,
      JANITOR_BATCH,
    )) as string[];
    const entries: PresenceEntry[] = [];
    for (let i = 0; i < reply.length; i += 2) entries.push(toEntry(reply[i]!, ['offline', reply[i + 1]!]));
    return entries;
  }

  private async transition(userId: string, script: string, keys: string[], args: Array<string | number>): Promise<PresenceEntry | null> {
    const stored = (await this.redis.command.eval(script, keys.length, ...keys, ...args.map(String))) as Stored | null;
    return stored ? toEntry(userId, stored) : null;
  }

  private get prefix(): string {
    return this.redis.prefix;
  }

  private presenceKey(userId: string): string {
    return `${this.prefix}presence:user:${userId}`;
  }

  /** The core registry's hash of the user's sockets (redis-connection.registry.ts). */
  private registryKey(userId: string): string {
    return `${this.prefix}user:${userId}`;
  }

  private get pendingKey(): string {
    return `${this.prefix}presence:pending`;
  }

  private get presentKey(): string {
    return `${this.prefix}presence:present`;
  }
}

function toEntry(userId: string, [status, since]: Stored): PresenceEntry {
  return { userId, status: status as PresenceStatus, lastSeenAt: new Date(Number(since)).toISOString() };
}

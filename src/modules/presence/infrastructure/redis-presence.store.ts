import { RedisConnectionRegistry, type RedisClients } from '../../../core/websocket/internal.js';
import type { PresenceEntry, PresenceStatus, SettableStatus } from '../domain/presence-entry.js';
import type { PresenceLedger } from '../ports/presence-ledger.port.js';
import { PresenceStore } from '../ports/presence-store.port.js';

/*
 * Keys (prefix P, the core's `RedisClients.prefix`), each in its user's group
 * (G, the core registry's `RedisConnectionRegistry.groupOf`: one hash slot on
 * Redis Cluster, shared with the registry's keys of the same users):
 *   G presence:user:<userId>  HASH status, since (epoch ms), leftAt (epoch ms, while an offline is pending);
 *                             expires `lastSeenTtlMs` after its user went offline (then read as never seen)
 *   G presence:pending        ZSET userId -> deadline (epoch ms, Redis's clock)
 *   G presence:present        SET  users whose status is not offline, walked by the janitor
 *   G presence:scan           STRING the janitor's SSCAN cursor, shared by every node
 * A user's socket count is the core registry's: the scripts that decide
 * against it include the registry's own Lua layout (`RedisConnectionRegistry.luaLayout`),
 * so each transition is one script, atomic with the count it reads, and
 * nothing here knows how the registry stores it. The sweep is one script per
 * group.
 */

// Redis's clock, so deadlines do not depend on which node's clock set them.
const NOW_MS = `local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Writes a status and keeps the janitor's set in step; answers { status, since } for `toEntry`.
// An offline entry expires after \`ttl\` ms (none when 0); any other status keeps it.
const WRITE = `
local function write(key, present, userId, status, since, ttl)
  redis.call('HSET', key, 'status', status, 'since', since)
  if status == 'offline' then
    redis.call('SREM', present, userId)
    if tonumber(ttl) > 0 then redis.call('PEXPIRE', key, ttl) end
  else
    redis.call('SADD', present, userId)
    redis.call('PERSIST', key)
  end
  return { status, since }
end
local function ms(n) return string.format('%.0f', n) end`;

/** KEYS: presence, present. ARGV: userId, at. */
const MARK_ONLINE = `${WRITE}
local status = redis.call('HGET', KEYS[1], 'status')
if status and status ~= 'offline' then return false end
return write(KEYS[1], KEYS[2], ARGV[1], 'online', ARGV[2], 0)`;

/** KEYS: presence, present. ARGV: userId, at, lastSeenTtlMs. */
const MARK_OFFLINE = `${WRITE}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'offline' then return false end
return write(KEYS[1], KEYS[2], ARGV[1], 'offline', ARGV[2], ARGV[3])`;

/** KEYS: presence, present. ARGV: userId, status, at. */
const SET_STATUS = `${WRITE}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'offline' or status == ARGV[2] then return false end
return write(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], 0)`;

/**
 * KEYS: registry user, presence, pending, present. ARGV: userId, at, graceMs.
 * The registry has the last word: with a socket the user is present (and no
 * offline is pending); without one a connected user is due to go offline.
 */
const RECONCILE = `${WRITE}${RedisConnectionRegistry.luaLayout}
local function now() ${NOW_MS} end
local sockets, presence, pending, present = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local userId, at, grace = ARGV[1], ARGV[2], tonumber(ARGV[3])
local status = redis.call('HGET', presence, 'status')
if registry_count(sockets) > 0 then
  redis.call('ZREM', pending, userId)
  redis.call('HDEL', presence, 'leftAt')
  if status and status ~= 'offline' then return false end
  -- A late retry never moves lastSeenAt back past the offline it ends.
  local since = redis.call('HGET', presence, 'since')
  if since and tonumber(since) > tonumber(at) then at = since end
  return write(presence, present, userId, 'online', at, 0)
end
if not status or status == 'offline' then
  redis.call('ZREM', pending, userId)
  return false
end
redis.call('ZADD', pending, ms(now() + grace), userId)
redis.call('HSET', presence, 'leftAt', at)
return false`;

/**
 * KEYS: pending, present, scan cursor (one group). ARGV: group, due batch, graceMs, janitor batch, lastSeenTtlMs.
 * Claims due entries (ZREM inside the script: one claimer each) and takes
 * offline those still without a socket; then walks a batch of present users
 * and starts the grace of any that has no socket and no pending offline.
 * Answers { userId, since, ... } for the users it took offline.
 */
const SWEEP = `${WRITE}${RedisConnectionRegistry.luaLayout}
local function now() ${NOW_MS} end
local pending, present, cursorKey = KEYS[1], KEYS[2], KEYS[3]
local group, limit, grace, count, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local t = now()
local settled = {}
for _, userId in ipairs(redis.call('ZRANGEBYSCORE', pending, '-inf', ms(t), 'LIMIT', 0, limit)) do
  redis.call('ZREM', pending, userId)
  local presence = group .. 'presence:user:' .. userId
  local leftAt = redis.call('HGET', presence, 'leftAt') or ms(t)
  redis.call('HDEL', presence, 'leftAt')
  local status = redis.call('HGET', presence, 'status')
  if status and status ~= 'offline' and registry_count(registry_user_key(group, userId)) == 0 then
    write(presence, present, userId, 'offline', leftAt, ttl)
    settled[#settled + 1] = userId
    settled[#settled + 1] = leftAt
  end
end
local scan = redis.call('SSCAN', present, redis.call('GET', cursorKey) or '0', 'COUNT', count)
redis.call('SET', cursorKey, scan[1])
for _, userId in ipairs(scan[2]) do
  local presence = group .. 'presence:user:' .. userId
  local status = redis.call('HGET', presence, 'status')
  if not status or status == 'offline' then
    redis.call('SREM', present, userId)
  elseif registry_count(registry_user_key(group, userId)) == 0 and not redis.call('ZSCORE', pending, userId) then
    redis.call('ZADD', pending, ms(t + grace), userId)
    redis.call('HSET', presence, 'leftAt', ms(t))
  end
end
return settled`;

/** Most due entries one sweep claims in a group, and how many present users of a group it re-checks. */
const DUE_BATCH = 500;
const JANITOR_BATCH = 16;

type Stored = [status: string, since: string];

/**
 * The cluster's presence: the `PresenceStore` twin in Redis, and the
 * `PresenceLedger` twin that decides grace periods against the core's
 * connection registry (its count is read inside the scripts, through the
 * registry's Lua layout, which is what makes "no socket left" and "offline"
 * one atomic step). Grace periods are entries any node's sweep settles, so
 * nothing is timed here. User ids are used as they are inside key names, like
 * the registry does.
 */
export class RedisPresenceStore extends PresenceStore implements PresenceLedger {
  constructor(
    private readonly redis: RedisClients,
    private readonly offlineGraceMs: number,
    /** How long an offline user's entry (`lastSeenAt`) is kept; 0 keeps it. */
    private readonly lastSeenTtlMs = 0,
  ) {
    super();
  }

  async get(userIds: readonly string[]): Promise<PresenceEntry[]> {
    if (userIds.length === 0) return [];
    // One command per user (they may live on different Redis Cluster masters); sent together all the same.
    const replies = await Promise.all(userIds.map((userId) => this.redis.command.hmget(this.keysOf(userId).user, 'status', 'since')));
    return userIds.map((userId, i) => {
      const [status, since] = replies[i]!;
      return status && since ? toEntry(userId, [status, since]) : { userId, status: 'offline', lastSeenAt: null };
    });
  }

  markOnline(userId: string, at: number): Promise<PresenceEntry | null> {
    const { user, present } = this.keysOf(userId);
    return this.transition(userId, MARK_ONLINE, [user, present], [userId, at]);
  }

  markOffline(userId: string, at: number): Promise<PresenceEntry | null> {
    const { user, present } = this.keysOf(userId);
    return this.transition(userId, MARK_OFFLINE, [user, present], [userId, at, this.lastSeenTtlMs]);
  }

  setStatus(userId: string, status: SettableStatus, at: number): Promise<PresenceEntry | null> {
    const { user, present } = this.keysOf(userId);
    return this.transition(userId, SET_STATUS, [user, present], [userId, status, at]);
  }

  reconcile(userId: string, at: number): Promise<PresenceEntry | null> {
    const { user, pending, present } = this.keysOf(userId);
    // The registry's key of the user's sockets, declared to the script that reads its count.
    const sockets = RedisConnectionRegistry.userKeyOf(this.prefix, userId);
    return this.transition(userId, RECONCILE, [sockets, user, pending, present], [userId, at, this.offlineGraceMs]);
  }

  async settleDue(): Promise<PresenceEntry[]> {
    // One script per group, each atomic on its own; together they settle every user due.
    const replies = await Promise.all(
      RedisConnectionRegistry.groups(this.prefix).map((group) => {
        const { pending, present, scan } = groupKeys(group);
        const args = [group, DUE_BATCH, this.offlineGraceMs, JANITOR_BATCH, this.lastSeenTtlMs];
        return this.redis.command.eval(SWEEP, 3, pending, present, scan, ...args) as Promise<string[]>;
      }),
    );
    const entries: PresenceEntry[] = [];
    for (const reply of replies) for (let i = 0; i < reply.length; i += 2) entries.push(toEntry(reply[i]!, ['offline', reply[i + 1]!]));
    return entries;
  }

  /** Nothing to call: due grace periods are found by the periodic sweep, on whichever node runs it first. */
  onDue(): void {}

  /** Every grace period is in Redis; this process times none. */
  get pendingGraceCount(): number {
    return 0;
  }

  private async transition(userId: string, script: string, keys: string[], args: Array<string | number>): Promise<PresenceEntry | null> {
    const stored = (await this.redis.command.eval(script, keys.length, ...keys, ...args.map(String))) as Stored | null;
    return stored ? toEntry(userId, stored) : null;
  }

  private get prefix(): string {
    return this.redis.prefix;
  }

  /** The user's presence hash and their group's keys, from one reckoning of the group. */
  private keysOf(userId: string): { user: string; pending: string; present: string } {
    const group = RedisConnectionRegistry.groupOf(this.prefix, userId);
    return { user: `${group}presence:user:${userId}`, ...groupKeys(group) };
  }
}

/** A group's keys (see the layout at the top). */
function groupKeys(group: string): { pending: string; present: string; scan: string } {
  return { pending: `${group}presence:pending`, present: `${group}presence:present`, scan: `${group}presence:scan` };
}

function toEntry(userId: string, [status, since]: Stored): PresenceEntry {
  return { userId, status: status as PresenceStatus, lastSeenAt: new Date(Number(since)).toISOString() };
}

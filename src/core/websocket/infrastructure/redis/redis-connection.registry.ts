import { Injectable } from '@nestjs/common';
import { ConnectionRegistry, type ConnectionEntry } from '../../application/ports/connection-registry.port.js';
import { RedisClients } from './redis-clients.js';

/*
 * Keys (prefix P), defined here and nowhere else. Users fall into 16 groups
 * (FNV-1a of the user id); a group's keys start with P{<tag>}, so Redis
 * Cluster keeps a group in one hash slot and every script below touches one
 * slot. The 16 tags hash to slots spread evenly over 0..16383, so a cluster
 * whose masters hold even slot ranges holds even shares of the users.
 *   G user:<userId>    HASH socketId -> nodeId   the user's sockets on every node
 *   G node:<nodeId>    HASH socketId -> userId   the node's sockets of the group's users, to remove them when it dies
 *   G sockets          STRING                    the group's sockets on every node
 * (G = P{<tag>}, the group's prefix.) Every change runs in one Lua script, so
 * counts and transitions are atomic; work on a whole node (removing a dead
 * one, a resync) is one script per group, each safe to repeat.
 */

/** The hash tags of the 16 user groups: tag i hashes to a slot in [1024 i, 1024 (i + 1)). */
const GROUP_TAGS = [
  'u0',
  'u1.40',
  'u2.63',
  'u3.60',
  'u4.20',
  'u5.23',
  'u6.4',
  'u7.3',
  'u8.2',
  'u9.1',
  'ua.23',
  'ub.62',
  'uc.11',
  'ud.21',
  'ue.40',
  'uf.12',
];

/** The group of a user: FNV-1a over the id's UTF-16 code units. */
function groupIndex(userId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) hash = Math.imul(hash ^ userId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % GROUP_TAGS.length;
}

const groupPrefix = (prefix: string, index: number): string => `${prefix}{${GROUP_TAGS[index]}}`;
const groupOf = (prefix: string, userId: string): string => groupPrefix(prefix, groupIndex(userId));
// The keys inside a group, as the Lua layout below names them too.
const userKey = (group: string, userId: string): string => `${group}user:${userId}`;
const nodeKey = (group: string, nodeId: string): string => `${group}node:${nodeId}`;
const countKey = (group: string): string => `${group}sockets`;

/**
 * The same layout for Lua: this registry's scripts, and the scripts of other
 * owners that read a user's count in the same atomic step as their own change
 * (presence), include it rather than build the names again. `group` is the
 * group's prefix (`RedisConnectionRegistry.groupOf`).
 */
const LAYOUT = `
local function registry_user_key(group, userId) return group .. 'user:' .. userId end
local function registry_node_key(group, nodeId) return group .. 'node:' .. nodeId end
local function registry_count(userKey) return redis.call('HLEN', userKey) end`;

/** KEYS: user, node, count (one group). ARGV: socketId, nodeId, max, userId. */
const ADD = `${LAYOUT}
local user, node, count = KEYS[1], KEYS[2], KEYS[3]
local socketId, nodeId, max, userId = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
if redis.call('HEXISTS', user, socketId) == 1 then return {1, redis.call('HLEN', user)} end
local n = redis.call('HLEN', user)
if n >= max then return {0, n} end
redis.call('HSET', user, socketId, nodeId)
redis.call('HSET', node, socketId, userId)
redis.call('INCR', count)
return {1, n + 1}`;

/** KEYS: user, count (one group). ARGV: socketId, group. */
const REMOVE = `${LAYOUT}
local user, count = KEYS[1], KEYS[2]
local socketId, group = ARGV[1], ARGV[2]
local nodeId = redis.call('HGET', user, socketId)
if not nodeId then return {0, redis.call('HLEN', user)} end
redis.call('HDEL', user, socketId)
redis.call('HDEL', registry_node_key(group, nodeId), socketId)
redis.call('DECR', count)
return {1, redis.call('HLEN', user)}`;

// KEYS: node, count (one group). ARGV: group, nodeId, then socketId, userId
// pairs: the node's live sockets of the group's users. Drops the node's
// other sockets of the group and adds the missing ones without a cap, in one
// script, so no add or removal of a socket can fall between the two.
// Returns { users left with none, users that had none }.
const SYNC_GROUP = `${LAYOUT}
local node, count = KEYS[1], KEYS[2]
local group, nodeId = ARGV[1], ARGV[2]
local live = {}
for i = 3, #ARGV, 2 do live[ARGV[i]] = ARGV[i + 1] end
local entries = redis.call('HGETALL', node)
local gone = {}
for i = 1, #entries, 2 do
  local socketId, userId = entries[i], entries[i + 1]
  if not live[socketId] then
    local user = registry_user_key(group, userId)
    redis.call('HDEL', node, socketId)
    if redis.call('HDEL', user, socketId) == 1 then
      redis.call('DECR', count)
      if redis.call('HLEN', user) == 0 then gone[#gone + 1] = userId end
    end
  end
end
local connected = {}
for i = 3, #ARGV, 2 do
  local socketId, userId = ARGV[i], ARGV[i + 1]
  local user = registry_user_key(group, userId)
  if redis.call('HSETNX', user, socketId, nodeId) == 1 then
    redis.call('HSET', node, socketId, userId)
    redis.call('INCR', count)
    if redis.call('HLEN', user) == 1 then connected[#connected + 1] = userId end
  end
end
return {gone, connected}`;

type Reply = [number, number];

/** The cluster-wide registry in Redis. Node ids, user ids and socket ids are used as they are inside key names. */
@Injectable()
export class RedisConnectionRegistry extends ConnectionRegistry {
  /**
   * For a Lua script of another owner that must stay atomic with a user's
   * count: include this at the top of the script, then
   * `registry_count(registry_user_key(group, userId))` is the user's sockets
   * on every node (`group` from `groupOf`), or `registry_count(KEYS[n])` with
   * `userKeyOf` passed as a key.
   */
  static readonly luaLayout: string = LAYOUT;

  /** The key of the user's sockets, for a script of another owner that declares it (see `luaLayout`). */
  static userKeyOf(prefix: string, userId: string): string {
    return userKey(groupOf(prefix, userId), userId);
  }

  /**
   * The prefix of the user's group: keys of another owner that start with it
   * share the user's hash slot, so one script may touch them and the user's
   * registry keys together.
   */
  static groupOf(prefix: string, userId: string): string {
    return groupOf(prefix, userId);
  }

  /** The prefixes of every group, for work that visits each once (one script per group). */
  static groups(prefix: string): string[] {
    return GROUP_TAGS.map((_, index) => groupPrefix(prefix, index));
  }

  constructor(private readonly redis: RedisClients) {
    super();
  }

  private get prefix(): string {
    return this.redis.prefix;
  }

  async add(entry: ConnectionEntry, maxPerUser: number): Promise<{ admitted: boolean; count: number }> {
    const group = groupOf(this.prefix, entry.userId);
    const [admitted, count] = (await this.redis.command.eval(
      ADD,
      3,
      userKey(group, entry.userId),
      nodeKey(group, entry.nodeId),
      countKey(group),
      entry.socketId,
      entry.nodeId,
      Number.isFinite(maxPerUser) ? maxPerUser : 2 ** 31,
      entry.userId,
    )) as Reply;
    return { admitted: admitted === 1, count };
  }

  async remove(entry: ConnectionEntry): Promise<{ removed: boolean; count: number }> {
    const group = groupOf(this.prefix, entry.userId);
    const [removed, count] = (await this.redis.command.eval(
      REMOVE,
      2,
      userKey(group, entry.userId),
      countKey(group),
      entry.socketId,
      group,
    )) as Reply;
    return { removed: removed === 1, count };
  }

  async socketsOf(userId: string): Promise<ConnectionEntry[]> {
    const sockets = await this.redis.command.hgetall(RedisConnectionRegistry.userKeyOf(this.prefix, userId));
    return Object.entries(sockets).map(([socketId, nodeId]) => ({ socketId, userId, nodeId }));
  }

  countOf(userId: string): Promise<number> {
    return this.redis.command.hlen(RedisConnectionRegistry.userKeyOf(this.prefix, userId));
  }

  async countAll(): Promise<number> {
    const counts = await Promise.all(RedisConnectionRegistry.groups(this.prefix).map((group) => this.redis.command.get(countKey(group))));
    return counts.reduce((sum, count) => sum + Number(count ?? 0), 0);
  }

  async removeNode(nodeId: string): Promise<string[]> {
    // A sync to no live socket at all: the same scripts, so removal has one implementation.
    return (await this.syncNode(nodeId, [])).disconnected;
  }

  async syncNode(nodeId: string, entries: ConnectionEntry[]): Promise<{ connected: string[]; disconnected: string[] }> {
    const groups = RedisConnectionRegistry.groups(this.prefix);
    const live: string[][] = groups.map(() => []);
    for (const entry of entries) live[groupIndex(entry.userId)]!.push(entry.socketId, entry.userId);
    // One script per group; a failure part-way leaves every group either synced or untouched, and a repeat finishes the rest.
    const replies = await Promise.all(
      groups.map(
        (group, index) =>
          this.redis.command.eval(SYNC_GROUP, 2, nodeKey(group, nodeId), countKey(group), group, nodeId, ...live[index]!) as Promise<
            [string[], string[]]
          >,
      ),
    );
    return {
      connected: [...new Set(replies.flatMap(([, connected]) => connected))],
      disconnected: [...new Set(replies.flatMap(([gone]) => gone))],
    };
  }
}

import { Injectable } from '@nestjs/common';
import { ConnectionRegistry, type ConnectionEntry } from '../../application/ports/connection-registry.port.js';
import { RedisClients } from './redis-clients.js';

/*
 * Keys (prefix P):
 *   P user:<userId>   HASH socketId -> nodeId      the user's sockets on every node
 *   P node:<nodeId>   HASH socketId -> userId      the node's sockets, to remove them when it dies
 *   P sockets         STRING                       sockets on every node
 * Every change runs in one Lua script, so counts and transitions are atomic.
 */

const ADD = `
local user, node, count = KEYS[1], KEYS[2], KEYS[3]
local socketId, nodeId, max, userId = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
if redis.call('HEXISTS', user, socketId) == 1 then return {1, redis.call('HLEN', user)} end
local n = redis.call('HLEN', user)
if n >= max then return {0, n} end
redis.call('HSET', user, socketId, nodeId)
redis.call('HSET', node, socketId, userId)
redis.call('INCR', count)
return {1, n + 1}`;

const REMOVE = `
local user, count = KEYS[1], KEYS[2]
local socketId, prefix = ARGV[1], ARGV[2]
local nodeId = redis.call('HGET', user, socketId)
if not nodeId then return {0, redis.call('HLEN', user)} end
redis.call('HDEL', user, socketId)
redis.call('HDEL', prefix .. 'node:' .. nodeId, socketId)
redis.call('DECR', count)
return {1, redis.call('HLEN', user)}`;

// ARGV: prefix, nodeId, then socketId, userId pairs: the node's live sockets.
// Drops the node's other sockets and adds the missing ones without a cap, in
// one script, so no add or removal of a socket can fall between the two.
// Returns { users left with none, users that had none }.
const SYNC_NODE = `
local node, count = KEYS[1], KEYS[2]
local prefix, nodeId = ARGV[1], ARGV[2]
local live = {}
for i = 3, #ARGV, 2 do live[ARGV[i]] = ARGV[i + 1] end
local entries = redis.call('HGETALL', node)
local gone = {}
for i = 1, #entries, 2 do
  local socketId, userId = entries[i], entries[i + 1]
  if not live[socketId] then
    local user = prefix .. 'user:' .. userId
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
  local user = prefix .. 'user:' .. userId
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
  constructor(private readonly redis: RedisClients) {
    super();
  }

  private get prefix(): string {
    return this.redis.prefix;
  }

  private key(kind: 'user' | 'node', id: string): string {
    return `${this.prefix}${kind}:${id}`;
  }

  private get countKey(): string {
    return `${this.prefix}sockets`;
  }

  async add(entry: ConnectionEntry, maxPerUser: number): Promise<{ admitted: boolean; count: number }> {
    const [admitted, count] = (await this.redis.command.eval(
      ADD,
      3,
      this.key('user', entry.userId),
      this.key('node', entry.nodeId),
      this.countKey,
      entry.socketId,
      entry.nodeId,
      Number.isFinite(maxPerUser) ? maxPerUser : 2 ** 31,
      entry.userId,
    )) as Reply;
    return { admitted: admitted === 1, count };
  }

  async remove(entry: ConnectionEntry): Promise<{ removed: boolean; count: number }> {
    const [removed, count] = (await this.redis.command.eval(REMOVE, 2, this.key('user', entry.userId), this.countKey, entry.socketId, this.prefix)) as Reply;
    return { removed: removed === 1, count };
  }

  async socketsOf(userId: string): Promise<ConnectionEntry[]> {
    const sockets = await this.redis.command.hgetall(this.key('user', userId));
    return Object.entries(sockets).map(([socketId, nodeId]) => ({ socketId, userId, nodeId }));
  }

  countOf(userId: string): Promise<number> {
    return this.redis.command.hlen(this.key('user', userId));
  }

  async countAll(): Promise<number> {
    return Number((await this.redis.command.get(this.countKey)) ?? 0);
  }

  async removeNode(nodeId: string): Promise<string[]> {
    // A sync to no live socket at all: the same script, so removal has one implementation.
    return (await this.syncNode(nodeId, [])).disconnected;
  }

  async syncNode(nodeId: string, entries: ConnectionEntry[]): Promise<{ connected: string[]; disconnected: string[] }> {
    const [disconnected, connected] = (await this.redis.command.eval(
      SYNC_NODE,
      2,
      this.key('node', nodeId),
      this.countKey,
      this.prefix,
      nodeId,
      ...entries.flatMap((e) => [e.socketId, e.userId]),
    )) as [string[], string[]];
    return { connected: [...new Set(connected)], disconnected: [...new Set(disconnected)] };
  }
}

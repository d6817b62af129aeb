import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConnectionManager } from '../../application/services/connection-manager.service.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { RedisClients } from '../redis/redis-clients.js';

// Redis's clock for every node, so skew between nodes cannot kill a live one.
const NOW_MS = `local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: nodes. ARGV: nodeId. Returns 1 when the node was not listed (first beat, or declared dead meanwhile). */
const BEAT = `local function now() ${NOW_MS} end
return redis.call('ZADD', KEYS[1], now(), ARGV[1])`;

/**
 * KEYS: nodes, sockets count. ARGV: prefix, deadAfterMs. Claims one dead node
 * (ZREM: exactly one caller wins), removes its sockets, and returns
 * { nodeId, userId... } for the users left with none; {} when no node is dead.
 */
const REAP = `local function now() ${NOW_MS} end
local nodes, count = KEYS[1], KEYS[2]
local prefix, deadAfter = ARGV[1], tonumber(ARGV[2])
local dead = redis.call('ZRANGEBYSCORE', nodes, '-inf', now() - deadAfter, 'LIMIT', 0, 1)
if #dead == 0 then return {} end
local nodeId = dead[1]
redis.call('ZREM', nodes, nodeId)
local node = prefix .. 'node:' .. nodeId
local entries = redis.call('HGETALL', node)
local result = { nodeId }
for i = 1, #entries, 2 do
  local socketId, userId = entries[i], entries[i + 1]
  local user = prefix .. 'user:' .. userId
  if redis.call('HDEL', user, socketId) == 1 then
    redis.call('DECR', count)
    if redis.call('HLEN', user) == 0 then result[#result + 1] = userId end
  end
end
redis.call('DEL', node)
return result`;

/**
 * Heartbeats and the reaper. Every node renews its beat each `heartbeatMs`;
 * a node silent for three beats is dead, and the first survivor to notice
 * removes its sockets from the registry (atomically, once), so its users go
 * offline like after any disconnect. A node puts the registry's view of its
 * sockets right (`ConnectionManager.resync`) on its first beat (a node
 * restarted under the same id finds its previous life's sockets there, and
 * would otherwise keep them forever: it beats, so nobody reaps it), when it
 * finds itself missing from the list (declared dead during a pause, or Redis
 * restarted empty), and after a registry call failed during an outage too
 * short to get it reaped.
 */
@Injectable()
export class NodeLiveness implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('NodeLiveness');
  private timer?: NodeJS.Timeout;
  private beating = false;
  private failing = false;
  private synced = false;

  constructor(
    private readonly redis: RedisClients,
    private readonly connections: ConnectionManager,
    @Inject(WEBSOCKET_OPTIONS) private readonly options: ResolvedWebsocketOptions,
  ) {}

  private get nodesKey(): string {
    return `${this.redis.prefix}nodes`;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.redis.enabled) return;
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.heartbeatMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Stops beating and takes this node off the list (draining: its sockets are removed by the caller). */
  async leave(): Promise<void> {
    clearInterval(this.timer);
    if (this.redis.enabled) await this.redis.command.zrem(this.nodesKey, this.options.nodeId).catch(() => undefined);
  }

  /** One beat and one reaping pass; never throws (Redis may be down). */
  async tick(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      const wasMissing = (await this.redis.command.eval(BEAT, 1, this.nodesKey, this.options.nodeId)) === 1;
      if (wasMissing || !this.synced || this.connections.needsResync) {
        if (await this.connections.resync()) this.synced = true;
      }
      await this.reap();
      if (this.failing) this.logger.log('Heartbeat renewed');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.warn(`Heartbeat failed: ${(error as Error).message}`);
      this.failing = true;
    } finally {
      this.beating = false;
    }
  }

  private async reap(): Promise<void> {
    const deadAfterMs = this.options.heartbeatMs * 3;
    for (;;) {
      const [nodeId, ...gone] = (await this.redis.command.eval(REAP, 2, this.nodesKey, `${this.redis.prefix}sockets`, this.redis.prefix, deadAfterMs)) as string[];
      if (!nodeId) return;
      this.logger.warn(`Node ${nodeId} missed three heartbeats: removed its sockets (${gone.length} users left with none)`);
      this.connections.announceGone(gone);
    }
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConnectionRegistry } from '../../application/ports/connection-registry.port.js';
import { Outage } from '../../domain/outage.js';
import { ConnectionManager } from '../../application/services/connection-manager.service.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { RedisClients } from '../redis/redis-clients.js';

// Redis's clock for every node, so skew between nodes cannot kill a live one.
const NOW_MS = `local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: nodes. ARGV: nodeId. Returns 1 when the node was not listed (first beat, or declared dead meanwhile). */
const BEAT = `local function now() ${NOW_MS} end
return redis.call('ZADD', KEYS[1], now(), ARGV[1])`;

/** KEYS: nodes. ARGV: deadAfterMs. The id of one node silent for that long, or false when none is. */
const FIND_DEAD = `local function now() ${NOW_MS} end
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now() - tonumber(ARGV[1]), 'LIMIT', 0, 1)
return dead[1] or false`;

/**
 * Heartbeats and the reaper. Every node renews its beat each `heartbeatMs`;
 * a node silent for three beats is dead, and the survivors that notice
 * remove its sockets through the registry (each user left with none is
 * returned to exactly one of them), so its users go offline like after any
 * disconnect. The list of beating nodes is this file's; the sockets are the
 * registry's. A node puts the registry's view of its sockets right
 * (`ConnectionManager.resync`) on its first beat (a node restarted under the
 * same id finds its previous life's sockets there, and would otherwise keep
 * them forever: it beats, so nobody reaps it), when it finds itself missing
 * from the list (declared dead during a pause, or Redis restarted empty), and
 * after a registry call failed during an outage too short to get it reaped.
 */
@Injectable()
export class NodeLiveness implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('NodeLiveness');
  private timer?: NodeJS.Timeout;
  private beating = false;
  private readonly outage = new Outage();
  private synced = false;

  constructor(
    private readonly redis: RedisClients,
    private readonly registry: ConnectionRegistry,
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
      if (this.outage.recovered()) this.logger.log('Heartbeat renewed');
    } catch (error) {
      if (this.outage.failed()) this.logger.warn(`Heartbeat failed: ${(error as Error).message}`);
    } finally {
      this.beating = false;
    }
  }

  /**
   * The node leaves the list only after its sockets left the registry: a pass
   * that fails in between (Redis unreachable) leaves it listed, and the next
   * pass finds it again. A node alive after all finds itself missing on its
   * next beat and puts its sockets back (`resync`).
   */
  private async reap(): Promise<void> {
    const deadAfterMs = this.options.heartbeatMs * 3;
    for (;;) {
      const nodeId = (await this.redis.command.eval(FIND_DEAD, 1, this.nodesKey, deadAfterMs)) as string | null;
      if (!nodeId) return;
      const gone = await this.registry.removeNode(nodeId);
      this.connections.announceGone(gone);
      const unlisted = (await this.redis.command.zrem(this.nodesKey, nodeId)) === 1;
      if (unlisted || gone.length > 0) {
        this.logger.warn(`Node ${nodeId} missed three heartbeats: removed its sockets (${gone.length} users left with none)`);
      }
    }
  }
}

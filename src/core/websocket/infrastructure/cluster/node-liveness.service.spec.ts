import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { connectRedisClients } from '../../../../testing/redis-clients.js';
import { startRedis, type TestRedis } from '../../../../testing/redis-server.js';
import type { ConnectionManager } from '../../application/services/connection-manager.service.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import type { RedisClients } from '../redis/redis-clients.js';
import { RedisConnectionRegistry } from '../redis/redis-connection.registry.js';
import { NodeLiveness } from './node-liveness.service.js';

const HEARTBEAT_MS = 50;

let redis: TestRedis;
let clients: RedisClients;

beforeAll(async () => {
  redis = await startRedis();
  clients = await connectRedisClients(redis.url);
});

afterAll(async () => {
  await clients?.close();
  await redis?.stop();
});

/** A node's heartbeat and reaper, with the real Redis registry; the connection manager, whose own spec covers it, reduced to what liveness calls. */
function nodeNamed(nodeId: string) {
  const registry = new RedisConnectionRegistry(clients);
  const connections = {
    needsResync: false,
    resync: jest.fn(async () => true),
    announceGone: jest.fn((_userIds: readonly string[]) => undefined),
  };
  const options = { nodeId, heartbeatMs: HEARTBEAT_MS } as ResolvedWebsocketOptions;
  const liveness = new NodeLiveness(clients, registry, connections as unknown as ConnectionManager, options);
  const announced = () => connections.announceGone.mock.calls.flatMap(([userIds]) => [...userIds]);
  return { liveness, registry, connections, announced };
}

const threeBeats = () => new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 3 + 30));

describe('NodeLiveness', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await clients.command.flushall();
  });

  /** `dead` beats once with sockets of alice (only there) and bob (also on `alive`), then falls silent. */
  async function aDeadNode() {
    const dead = nodeNamed('dead');
    await dead.liveness.tick();
    await dead.registry.add({ socketId: 'a1', userId: 'alice', nodeId: 'dead' }, 5);
    await dead.registry.add({ socketId: 'b1', userId: 'bob', nodeId: 'dead' }, 5);
    await dead.registry.add({ socketId: 'b2', userId: 'bob', nodeId: 'alive' }, 5);
    await threeBeats();
    return dead;
  }

  it('removes the sockets of a node silent for three beats through the registry, and announces the users left with none', async () => {
    const { registry } = await aDeadNode();
    const alive = nodeNamed('alive');
    await alive.liveness.tick();
    expect(alive.announced()).toEqual(['alice']);
    expect(await registry.countOf('alice')).toBe(0);
    expect(await registry.socketsOf('bob')).toEqual([{ socketId: 'b2', userId: 'bob', nodeId: 'alive' }]);
    expect(await registry.countAll()).toBe(1);
    await alive.liveness.tick();
    expect(alive.announced()).toEqual(['alice']);
  });

  it('reaps nothing before three beats are missed', async () => {
    const dead = nodeNamed('dead');
    await dead.liveness.tick();
    await dead.registry.add({ socketId: 'a1', userId: 'alice', nodeId: 'dead' }, 5);
    const alive = nodeNamed('alive');
    await alive.liveness.tick();
    expect(alive.announced()).toEqual([]);
    expect(await dead.registry.countOf('alice')).toBe(1);
  });

  it('announces each user once when several survivors reap the same node at once', async () => {
    await aDeadNode();
    const survivors = ['s1', 's2', 's3'].map(nodeNamed);
    await Promise.all(survivors.map((survivor) => survivor.liveness.tick()));
    expect(survivors.flatMap((survivor) => survivor.announced())).toEqual(['alice']);
  });

  it('leaves the node listed when a pass fails after the removal, so the next pass finishes it and announces nobody twice', async () => {
    const { registry } = await aDeadNode();
    const alive = nodeNamed('alive');
    const zrem = jest.spyOn(clients.command, 'zrem').mockRejectedValueOnce(new Error('Connection is closed.'));
    await alive.liveness.tick();
    expect(alive.announced()).toEqual(['alice']);
    await alive.liveness.tick();
    expect(zrem).toHaveBeenCalledTimes(2);
    expect(alive.announced()).toEqual(['alice']);
    expect(await registry.countAll()).toBe(1);
  });

  it('puts its sockets back when a node reaped during a pause beats again', async () => {
    const paused = await aDeadNode();
    expect(paused.connections.resync).toHaveBeenCalledTimes(1);
    await nodeNamed('alive').liveness.tick();
    await paused.liveness.tick();
    expect(paused.connections.resync).toHaveBeenCalledTimes(2);
  });
});

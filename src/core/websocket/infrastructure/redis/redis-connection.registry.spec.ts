import { redisModes } from '../../../../../test/support/redis-modes.js';
import { describeConnectionRegistryContract } from '../../application/ports/connection-registry.suite.js';
import type { RedisClients } from './redis-clients.js';
import { RedisConnectionRegistry } from './redis-connection.registry.js';

describe.each(redisModes())('RedisConnectionRegistry on $name', (mode) => {
  let clients: RedisClients;

  beforeAll(async () => {
    clients = await mode.connect();
  });

  afterAll(async () => {
    await clients?.close();
    await mode.stop();
  });

  describeConnectionRegistryContract(
    mode.name,
    () => new RedisConnectionRegistry(clients),
    () => mode.clear(clients),
  );

  describe("the layout for other owners' scripts", () => {
    afterEach(() => mode.clear(clients));

    // What a presence script reads in its own atomic step: the same count as countOf, by either way of naming the key.
    const COUNTS = `${RedisConnectionRegistry.luaLayout}
return { registry_count(registry_user_key(ARGV[1], ARGV[2])), registry_count(KEYS[1]) }`;
    const countsIn = (userId: string) =>
      clients.command.eval(
        COUNTS,
        1,
        RedisConnectionRegistry.userKeyOf(clients.prefix, userId),
        RedisConnectionRegistry.groupOf(clients.prefix, userId),
        userId,
      );

    it('counts a user’s sockets in a script as countOf does, through adds, removals and a node’s removal', async () => {
      const registry = new RedisConnectionRegistry(clients);
      expect(await countsIn('ann')).toEqual([0, 0]);
      await registry.add({ socketId: 's1', userId: 'ann', nodeId: 'n1' }, 5);
      await registry.add({ socketId: 's2', userId: 'ann', nodeId: 'n2' }, 5);
      expect(await countsIn('ann')).toEqual([2, 2]);
      await registry.removeNode('n1');
      expect(await countsIn('ann')).toEqual([await registry.countOf('ann'), 1]);
      await registry.remove({ socketId: 's2', userId: 'ann', nodeId: 'n2' });
      expect(await countsIn('ann')).toEqual([0, 0]);
    });
  });
});

describe('RedisConnectionRegistry’s user groups on a Redis Cluster', () => {
  const [, cluster] = redisModes();
  let clients: RedisClients;

  beforeAll(async () => {
    clients = await cluster!.connect();
  });

  afterAll(async () => {
    await cluster!.clear(clients);
    await clients?.close();
  });

  it('puts the 16 groups in slots spread evenly over the slot space, so users land on every master', async () => {
    const groups = RedisConnectionRegistry.groups(clients.prefix);
    const slots = await Promise.all(groups.map((group) => clients.command.call('CLUSTER', 'KEYSLOT', `${group}user:x`) as Promise<number>));
    expect(slots.map((slot) => Math.floor((slot * groups.length) / 16384))).toEqual(groups.map((_, index) => index));

    const registry = new RedisConnectionRegistry(clients);
    for (let i = 0; i < 200; i++) await registry.add({ socketId: `s${i}`, userId: `user-${i}`, nodeId: 'n1' }, 5);
    const masters = 'nodes' in clients.command ? clients.command.nodes('master') : [];
    expect(masters).toHaveLength(3);
    const counts = await Promise.all(masters.map((master) => master.dbsize()));
    // Every master holds users' keys: 3 keys per group (user hashes, the node's index and the count).
    for (const count of counts) expect(count).toBeGreaterThan(30);
    expect(await registry.countAll()).toBe(200);
  });
});

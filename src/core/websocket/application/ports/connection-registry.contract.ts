import type { ConnectionRegistry } from './connection-registry.port.js';

/**
 * The behaviour every ConnectionRegistry twin must have. Run it from a spec
 * with a factory that returns an empty registry:
 * `describeConnectionRegistryContract('in memory', () => new InMemoryConnectionRegistry())`.
 */
export function describeConnectionRegistryContract(name: string, create: () => Promise<ConnectionRegistry> | ConnectionRegistry, cleanup?: () => Promise<void>): void {
  describe(`ConnectionRegistry contract: ${name}`, () => {
    let registry: ConnectionRegistry;
    beforeEach(async () => {
      registry = await create();
    });
    if (cleanup) afterEach(cleanup);

    const entry = (socketId: string, userId = 'alice', nodeId = 'n1') => ({ socketId, userId, nodeId });

    it('adds sockets and counts them per user and in all', async () => {
      expect(await registry.add(entry('s1'), 5)).toEqual({ admitted: true, count: 1 });
      expect(await registry.add(entry('s2'), 5)).toEqual({ admitted: true, count: 2 });
      expect(await registry.add(entry('s3', 'bob'), 5)).toEqual({ admitted: true, count: 1 });
      expect(await registry.countOf('alice')).toBe(2);
      expect(await registry.countOf('nobody')).toBe(0);
      expect(await registry.countAll()).toBe(3);
      const sockets = await registry.socketsOf('alice');
      expect(sockets.sort((a, b) => a.socketId.localeCompare(b.socketId))).toEqual([entry('s1'), entry('s2')]);
    });

    it('refuses past the cap and counts nothing for the refused socket', async () => {
      await registry.add(entry('s1'), 2);
      await registry.add(entry('s2'), 2);
      expect(await registry.add(entry('s3'), 2)).toEqual({ admitted: false, count: 2 });
      expect(await registry.countAll()).toBe(2);
    });

    it('adding the same socket twice counts it once', async () => {
      await registry.add(entry('s1'), 1);
      expect(await registry.add(entry('s1'), 1)).toEqual({ admitted: true, count: 1 });
      expect(await registry.countAll()).toBe(1);
    });

    it('removes once: the second removal reports nothing removed', async () => {
      await registry.add(entry('s1'), 5);
      await registry.add(entry('s2'), 5);
      expect(await registry.remove(entry('s1'))).toEqual({ removed: true, count: 1 });
      expect(await registry.remove(entry('s1'))).toEqual({ removed: false, count: 1 });
      expect(await registry.remove(entry('s2'))).toEqual({ removed: true, count: 0 });
      expect(await registry.countAll()).toBe(0);
      expect(await registry.socketsOf('alice')).toEqual([]);
    });

    it('admits exactly the cap under concurrent adds', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => registry.add(entry(`s${i}`), 3)));
      expect(results.filter((r) => r.admitted)).toHaveLength(3);
      expect(await registry.countOf('alice')).toBe(3);
    });

    it("removes a node's sockets and returns each user left with none, once", async () => {
      await registry.add(entry('a1', 'alice', 'dead'), 5);
      await registry.add(entry('a2', 'alice', 'alive'), 5);
      await registry.add(entry('b1', 'bob', 'dead'), 5);
      await registry.add(entry('b2', 'bob', 'dead'), 5);
      const [first, second] = await Promise.all([registry.removeNode('dead'), registry.removeNode('dead')]);
      expect([...first!, ...second!]).toEqual(['bob']);
      expect(await registry.countOf('alice')).toBe(1);
      expect(await registry.countOf('bob')).toBe(0);
      expect(await registry.countAll()).toBe(1);
    });

    it("syncs a node's view: adds what is missing, drops what is gone, reports transitions", async () => {
      await registry.add(entry('a1', 'alice', 'n1'), 5);
      await registry.add(entry('b1', 'bob', 'n1'), 5);
      await registry.add(entry('b2', 'bob', 'n2'), 5);
      const result = await registry.syncNode('n1', [entry('c1', 'carol', 'n1'), entry('b3', 'bob', 'n1')]);
      expect(result.connected).toEqual(['carol']);
      expect(result.disconnected).toEqual(['alice']);
      expect(await registry.countOf('alice')).toBe(0);
      expect(await registry.countOf('bob')).toBe(2);
      expect(await registry.countOf('carol')).toBe(1);
      expect(await registry.countAll()).toBe(3);
      expect(await registry.syncNode('n1', [entry('c1', 'carol', 'n1'), entry('b3', 'bob', 'n1')])).toEqual({ connected: [], disconnected: [] });
    });
  });
}

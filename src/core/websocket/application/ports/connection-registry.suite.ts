import assert from 'node:assert/strict';
import type { ConnectionRegistry } from './connection-registry.port.js';
import { assertDeepEqual, resolveSuiteRunner, type SuiteRunner } from './suite-runner.js';

export type { SuiteRunner };

/**
 * The behaviour every ConnectionRegistry twin must have. Run it from a spec
 * with a factory that returns an empty registry; outside Jest, pass the
 * runner's functions last.
 *
 * @example
 * // Jest (globals):
 * describeConnectionRegistryContract('in memory', () => new InMemoryConnectionRegistry());
 * // node:test:
 * import { describe, it, beforeEach, afterEach } from 'node:test';
 * describeConnectionRegistryContract('in memory', () => new InMemoryConnectionRegistry(), undefined, { describe, it, beforeEach, afterEach });
 */
export function describeConnectionRegistryContract(
  name: string,
  create: () => Promise<ConnectionRegistry> | ConnectionRegistry,
  cleanup?: () => Promise<void>,
  runner?: SuiteRunner,
): void {
  const { describe, it, beforeEach, afterEach } = resolveSuiteRunner(runner);
  describe(`ConnectionRegistry contract: ${name}`, () => {
    let registry: ConnectionRegistry;
    beforeEach(async () => {
      registry = await create();
    });
    // Wrapped so the hook takes no arguments: a runner reads a parameter as a done callback.
    if (cleanup) afterEach(() => cleanup());

    const entry = (socketId: string, userId = 'alice', nodeId = 'n1') => ({ socketId, userId, nodeId });

    it('adds sockets and counts them per user and in all', async () => {
      assertDeepEqual(await registry.add(entry('s1'), 5), { admitted: true, count: 1 });
      assertDeepEqual(await registry.add(entry('s2'), 5), { admitted: true, count: 2 });
      assertDeepEqual(await registry.add(entry('s3', 'bob'), 5), { admitted: true, count: 1 });
      assert.equal(await registry.countOf('alice'), 2);
      assert.equal(await registry.countOf('nobody'), 0);
      assert.equal(await registry.countAll(), 3);
      const sockets = await registry.socketsOf('alice');
      assertDeepEqual(
        sockets.sort((a, b) => a.socketId.localeCompare(b.socketId)),
        [entry('s1'), entry('s2')],
      );
    });

    it('refuses past the cap and counts nothing for the refused socket', async () => {
      await registry.add(entry('s1'), 2);
      await registry.add(entry('s2'), 2);
      assertDeepEqual(await registry.add(entry('s3'), 2), { admitted: false, count: 2 });
      assert.equal(await registry.countAll(), 2);
    });

    it('adding the same socket twice counts it once', async () => {
      await registry.add(entry('s1'), 1);
      assertDeepEqual(await registry.add(entry('s1'), 1), { admitted: true, count: 1 });
      assert.equal(await registry.countAll(), 1);
    });

    it('removes once: the second removal reports nothing removed', async () => {
      await registry.add(entry('s1'), 5);
      await registry.add(entry('s2'), 5);
      assertDeepEqual(await registry.remove(entry('s1')), { removed: true, count: 1 });
      assertDeepEqual(await registry.remove(entry('s1')), { removed: false, count: 1 });
      assertDeepEqual(await registry.remove(entry('s2')), { removed: true, count: 0 });
      assert.equal(await registry.countAll(), 0);
      assertDeepEqual(await registry.socketsOf('alice'), []);
    });

    it('admits exactly the cap under concurrent adds', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => registry.add(entry(`s${i}`), 3)));
      assert.equal(results.filter((r) => r.admitted).length, 3);
      assert.equal(await registry.countOf('alice'), 3);
    });

    it("removes a node's sockets and returns each user left with none, once", async () => {
      await registry.add(entry('a1', 'alice', 'dead'), 5);
      await registry.add(entry('a2', 'alice', 'alive'), 5);
      await registry.add(entry('b1', 'bob', 'dead'), 5);
      await registry.add(entry('b2', 'bob', 'dead'), 5);
      const [first, second] = await Promise.all([registry.removeNode('dead'), registry.removeNode('dead')]);
      assertDeepEqual([...first!, ...second!], ['bob']);
      assert.equal(await registry.countOf('alice'), 1);
      assert.equal(await registry.countOf('bob'), 0);
      assert.equal(await registry.countAll(), 1);
    });

    it('removes nobody for a node that holds no socket, and touches no other node', async () => {
      await registry.add(entry('a1', 'alice', 'n1'), 5);
      assertDeepEqual(await registry.removeNode('n2'), []);
      assertDeepEqual(await registry.removeNode('never-seen'), []);
      assert.equal(await registry.countOf('alice'), 1);
      assert.equal(await registry.countAll(), 1);
    });

    it("keeps the other nodes' sockets of a node's users, and their counts follow the removal", async () => {
      await registry.add(entry('a1', 'alice', 'dead'), 5);
      await registry.add(entry('a2', 'alice', 'alive'), 5);
      await registry.add(entry('c1', 'carol', 'alive'), 5);
      assertDeepEqual(await registry.removeNode('dead'), []);
      assertDeepEqual(await registry.socketsOf('alice'), [entry('a2', 'alice', 'alive')]);
      assert.equal(await registry.countOf('alice'), 1);
      assert.equal(await registry.countOf('carol'), 1);
      assert.equal(await registry.countAll(), 2);
    });

    it('removes nobody on a repeat: a reaper that failed part-way may simply run again', async () => {
      await registry.add(entry('a1', 'alice', 'dead'), 5);
      assertDeepEqual(await registry.removeNode('dead'), ['alice']);
      assertDeepEqual(await registry.removeNode('dead'), []);
      assert.equal(await registry.countAll(), 0);
    });

    it('gives a node removed while it was alive its sockets back on its next sync, announcing its users connected once', async () => {
      await registry.add(entry('a1', 'alice', 'paused'), 5);
      await registry.add(entry('b1', 'bob', 'paused'), 5);
      await registry.add(entry('b2', 'bob', 'other'), 5);
      assertDeepEqual(await registry.removeNode('paused'), ['alice']);
      const result = await registry.syncNode('paused', [entry('a1', 'alice', 'paused'), entry('b1', 'bob', 'paused')]);
      assertDeepEqual(result, { connected: ['alice'], disconnected: [] });
      assert.equal(await registry.countOf('alice'), 1);
      assert.equal(await registry.countOf('bob'), 2);
      assert.equal(await registry.countAll(), 3);
    });

    it('counts a user with no socket left as 0 on every reading, whichever way the socket went', async () => {
      await registry.add(entry('a1', 'alice', 'n1'), 5);
      await registry.add(entry('b1', 'bob', 'n2'), 5);
      await registry.add(entry('c1', 'carol', 'n3'), 5);
      await registry.remove(entry('a1', 'alice', 'n1'));
      await registry.removeNode('n2');
      await registry.syncNode('n3', []);
      for (const userId of ['alice', 'bob', 'carol']) {
        assert.equal(await registry.countOf(userId), 0, userId);
        assertDeepEqual(await registry.socketsOf(userId), [], userId);
      }
      assert.equal(await registry.countAll(), 0);
    });

    it("syncs a node's view: adds what is missing, drops what is gone, reports transitions", async () => {
      await registry.add(entry('a1', 'alice', 'n1'), 5);
      await registry.add(entry('b1', 'bob', 'n1'), 5);
      await registry.add(entry('b2', 'bob', 'n2'), 5);
      const result = await registry.syncNode('n1', [entry('c1', 'carol', 'n1'), entry('b3', 'bob', 'n1')]);
      assertDeepEqual(result.connected, ['carol']);
      assertDeepEqual(result.disconnected, ['alice']);
      assert.equal(await registry.countOf('alice'), 0);
      assert.equal(await registry.countOf('bob'), 2);
      assert.equal(await registry.countOf('carol'), 1);
      assert.equal(await registry.countAll(), 3);
      assertDeepEqual(await registry.syncNode('n1', [entry('c1', 'carol', 'n1'), entry('b3', 'bob', 'n1')]), {
        connected: [],
        disconnected: [],
      });
    });
  });
}

import { EventEmitter2 } from '@nestjs/event-emitter';
import { EventEmitter } from 'node:events';
import { RealtimeEvents } from '../../domain/realtime-events.js';
import { currentTenant, runInTenant } from '../../domain/tenancy.js';
import type { RealtimeSocket } from '../interfaces/realtime-socket.interface.js';
import { InMemoryConnectionRegistry } from '../../infrastructure/memory/in-memory-connection.registry.js';
import { resolveWebsocketOptions } from '../../websocket.module-definition.js';
import { ConnectionManager } from './connection-manager.service.js';
import type { RoomSubscriptions } from '../ports/room-subscriptions.port.js';
import type { SocketServerHost } from './socket-server.host.js';

let next = 0;
function fakeSocket(userId: string, tenant?: string) {
  const conn = new EventEmitter();
  const joined: string[] = [];
  const socket = {
    id: `s${++next}`,
    conn,
    data: { user: { userId, claims: {}, expiresAt: 0, ...(tenant !== undefined && { tenant }) } },
    join: (room: string) => joined.push(room),
  };
  return { socket: socket as unknown as RealtimeSocket, conn, joined };
}

function setup(max = 3) {
  const events = new EventEmitter2();
  const seen: string[] = [];
  events.on(RealtimeEvents.userConnected, (e: { userId: string }) => seen.push(`online:${e.userId}`));
  events.on(RealtimeEvents.userDisconnected, (e: { userId: string }) => seen.push(`offline:${e.userId}`));
  const manager = new ConnectionManager(
    new InMemoryConnectionRegistry(),
    {} as SocketServerHost,
    events,
    { subscriptionsSettled: async () => undefined, onResumed: () => undefined } as RoomSubscriptions,
    resolveWebsocketOptions({ auth: { secret: 'a-test-secret-of-at-least-32-bytes' }, maxConnectionsPerUser: max, nodeId: 'n1' }),
  );
  return { manager, seen, events };
}

describe('ConnectionManager', () => {
  it('counts and announces each tenant’s user apart, in that tenant’s scope, with the plain id', async () => {
    const { manager, seen, events } = setup(1);
    const scopes: Array<string | undefined> = [];
    const tenants: Array<string | undefined> = [];
    events.on(RealtimeEvents.userConnected, (e: { tenant?: string }) => (scopes.push(currentTenant()), tenants.push(e.tenant)));
    const acme = fakeSocket('ann', 'acme');
    const globex = fakeSocket('ann', 'globex');
    expect(await manager.admit(acme.socket)).toBe(true);
    // One socket per user: the same id in another tenant is another user.
    expect(await manager.admit(globex.socket)).toBe(true);
    expect(await manager.admit(fakeSocket('ann', 'acme').socket)).toBe(false);
    await manager.register(acme.socket);
    expect(acme.joined).toEqual(['user:acme/ann']);
    expect(seen).toEqual(['online:ann', 'online:ann']);
    expect(scopes).toEqual(['acme', 'globex']);
    expect(tenants).toEqual(['acme', 'globex']);
    await expect(runInTenant('globex', () => manager.isOnline('ann'))).resolves.toBe(true);
    await expect(manager.isOnline('ann')).resolves.toBe(false);
    // A node's users come back as registry keys (reaped, drained): each is announced in its own tenant.
    scopes.length = 0;
    const gone: Array<[string | undefined, string, string | undefined]> = [];
    events.on(RealtimeEvents.userDisconnected, (e: { userId: string; tenant?: string }) =>
      gone.push([currentTenant(), e.userId, e.tenant]),
    );
    manager.announceGone(['acme/ann', 'plain', '/a/b']);
    expect(gone).toEqual([
      ['acme', 'ann', 'acme'],
      [undefined, 'plain', undefined],
      [undefined, 'a/b', undefined],
    ]);
  });

  it("finds the sockets whose user has a socket on another node, each tenant's user apart, with one look per user", async () => {
    const registry = new InMemoryConnectionRegistry();
    const manager = new ConnectionManager(
      registry,
      {} as SocketServerHost,
      new EventEmitter2(),
      { subscriptionsSettled: async () => undefined, onResumed: () => undefined } as RoomSubscriptions,
      resolveWebsocketOptions({ auth: { secret: 'a-test-secret-of-at-least-32-bytes' }, nodeId: 'n1' }),
    );
    const [annTab1, annTab2, bob, acmeAnn] = [fakeSocket('ann'), fakeSocket('ann'), fakeSocket('bob'), fakeSocket('ann', 'acme')];
    for (const { socket } of [annTab1, annTab2, bob, acmeAnn]) await manager.admit(socket);
    // ann has arrived on n2; bob is only here; acme's ann is another user, only here.
    await registry.add({ socketId: 'elsewhere', userId: 'ann', nodeId: 'n2' }, 5);
    const looks: string[] = [];
    const socketsOf = registry.socketsOf.bind(registry);
    registry.socketsOf = (userId) => (looks.push(userId), socketsOf(userId));
    const moving = [annTab1.socket, bob.socket, annTab2.socket, acmeAnn.socket];
    expect(await manager.elsewhere(moving)).toEqual([annTab1.socket, annTab2.socket]);
    expect(looks.sort()).toEqual(['acme/ann', 'ann', 'bob']);
  });

  it("raises realtime.user.connected on a user's first socket only, and .disconnected after the last", async () => {
    const { manager, seen } = setup();
    const a = fakeSocket('alice');
    const b = fakeSocket('alice');
    await manager.admit(a.socket);
    await manager.admit(b.socket);
    manager.register(a.socket);
    manager.register(b.socket);
    expect(seen).toEqual(['online:alice']);
    await manager.unregister(a.socket);
    expect(seen).toEqual(['online:alice']);
    await manager.unregister(b.socket);
    await manager.unregister(b.socket);
    expect(seen).toEqual(['online:alice', 'offline:alice']);
  });

  it('joins the user room on register and reports sockets per user', async () => {
    const { manager } = setup();
    const a = fakeSocket('alice');
    await manager.admit(a.socket);
    manager.register(a.socket);
    expect(a.joined).toEqual(['user:alice']);
    expect(await manager.getSockets('alice')).toEqual([{ socketId: a.socket.id, userId: 'alice', nodeId: 'n1' }]);
    expect(await manager.isOnline('alice')).toBe(true);
    expect(await manager.isOnline('bob')).toBe(false);
    expect(await manager.countConnections()).toBe(1);
  });

  it('refuses past the per-user cap without counting the refused socket', async () => {
    const { manager } = setup(2);
    expect(await manager.admit(fakeSocket('alice').socket)).toBe(true);
    expect(await manager.admit(fakeSocket('alice').socket)).toBe(true);
    expect(await manager.admit(fakeSocket('alice').socket)).toBe(false);
    expect(await manager.admit(fakeSocket('bob').socket)).toBe(true);
    expect(await manager.countConnections()).toBe(3);
  });

  it('gives the place back when the transport closes before the socket connects', async () => {
    const { manager, seen } = setup();
    const a = fakeSocket('alice');
    await manager.admit(a.socket);
    a.conn.emit('close');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await manager.countConnections()).toBe(0);
    expect(seen).toEqual(['online:alice', 'offline:alice']);
  });

  it('keeps the registry right when a listener of its events throws', async () => {
    const { manager } = setup();
    const events = (manager as unknown as { events: EventEmitter2 }).events;
    events.on(RealtimeEvents.userConnected, () => {
      throw new Error('listener bug');
    });
    const a = fakeSocket('alice');
    expect(await manager.admit(a.socket)).toBe(true);
    a.conn.emit('close');
    await new Promise((resolve) => setImmediate(resolve));
    expect(await manager.countConnections()).toBe(0);
  });

  it('stops watching the transport once the socket is registered', async () => {
    const { manager } = setup();
    const a = fakeSocket('alice');
    await manager.admit(a.socket);
    manager.register(a.socket);
    expect(a.conn.listenerCount('close')).toBe(0);
  });

  it('keeps a socket whose registry add is on its way when a resync runs meanwhile', async () => {
    // The add reaches the registry at once and answers later, as a Redis script does under load.
    let answer!: () => void;
    const registry = new (class extends InMemoryConnectionRegistry {
      override async add(entry: Parameters<InMemoryConnectionRegistry['add']>[0], max: number) {
        const result = await super.add(entry, max);
        await new Promise<void>((resolve) => (answer = resolve));
        return result;
      }
    })();
    const connected = fakeSocket('bob');
    const host = { started: true, server: { of: () => ({ sockets: new Map([[connected.socket.id, connected.socket]]) }) } };
    const manager = new ConnectionManager(
      registry,
      host as unknown as SocketServerHost,
      new EventEmitter2(),
      { subscriptionsSettled: async () => undefined, onResumed: () => undefined } as RoomSubscriptions,
      resolveWebsocketOptions({ auth: { secret: 'a-test-secret-of-at-least-32-bytes' }, nodeId: 'n1' }),
    );
    const arriving = fakeSocket('alice');
    const admitted = manager.admit(arriving.socket);
    await new Promise((resolve) => setImmediate(resolve));
    await manager.resync();
    answer();
    expect(await admitted).toBe(true);
    expect((await registry.socketsOf('alice')).map((entry) => entry.socketId)).toEqual([arriving.socket.id]);
    expect((await registry.socketsOf('bob')).map((entry) => entry.socketId)).toEqual([connected.socket.id]);
  });
});

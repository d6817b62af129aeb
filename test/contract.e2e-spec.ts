import { io, type Socket } from 'socket.io-client';
import { contracts, type ClientToServerEvents, type ServerToClientEvents } from '../src/contract.js';
import { MessageRouter } from '../src/core/websocket/internal.js';
import { startApp, type TestApp } from './support/app.js';

describe('the typed contract', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  it('declares exactly the events the router serves', async () => {
    t = await startApp();
    const routed = [...t.app.get(MessageRouter).events.keys()].sort();
    const declared = contracts.flatMap((contract) => Object.keys(contract.requests)).sort();
    expect(declared).toEqual(routed);
  });

  it('validates with the schemas the router uses, so a body the contract accepts is accepted', async () => {
    t = await startApp();
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(t.url, {
      auth: { token: t.token('alice', { rooms: ['*'] }) },
      transports: ['websocket'],
      forceNew: true,
    });
    try {
      await new Promise((resolve) => socket.once('session:ready', resolve));
      const joined = await socket.emitWithAck('chat:join', { roomId: 'typed' });
      expect(joined).toEqual({ ok: true, data: { roomId: 'typed' } });
      const sent = await socket.emitWithAck('chat:send', { roomId: 'typed', text: 'hello' });
      expect(sent.ok && sent.data.text).toBe('hello');
      const presence = await socket.emitWithAck('presence:query', { userIds: ['alice'] });
      expect(presence.ok && presence.data.presence[0]?.status).toBe('online');
    } finally {
      socket.disconnect();
    }
  });

  it('rejects wrong event names and bodies at compile time', () => {
    // Never run: `npm test` typechecks this file, and each line below must fail to compile.
    const check = (socket: Socket<ServerToClientEvents, ClientToServerEvents>) => {
      // @ts-expect-error: not an event of the protocol
      void socket.emitWithAck('chat:shout', { roomId: 'a' });
      // @ts-expect-error: text is required
      void socket.emitWithAck('chat:send', { roomId: 'a' });
      // @ts-expect-error: status is one of online, away, busy
      void socket.emitWithAck('presence:set', { status: 'invisible' });
      // @ts-expect-error: presence:update carries an entry, not a string
      socket.on('presence:update', (entry: string) => entry);
    };
    expect(typeof check).toBe('function');
  });
});

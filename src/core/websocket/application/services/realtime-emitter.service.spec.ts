import { rooms } from '../../domain/rooms.js';
import { RealtimeEmitter } from './realtime-emitter.service.js';
import { SocketServerHost, type RealtimeServer } from './socket-server.host.js';

/** A server that answers `to(room)` with the room it was asked for, so each target names its room. */
function setup() {
  const host = new SocketServerHost();
  const server = { to: (room: string) => ({ room }) } as unknown as RealtimeServer;
  return { host, server, emitter: new RealtimeEmitter(host) };
}

describe('RealtimeEmitter', () => {
  it("targets every socket of a user through the user's room, on every node", () => {
    const { host, server, emitter } = setup();
    host.attach(server);
    expect(emitter.toUser('alice')).toEqual({ room: rooms.user('alice') });
  });

  it('targets a room by the name it is given, and one socket by its id', () => {
    const { host, server, emitter } = setup();
    host.attach(server);
    expect(emitter.toRoom('chat:lobby')).toEqual({ room: 'chat:lobby' });
    expect(emitter.toSocket('socket-1')).toEqual({ room: 'socket-1' });
  });

  it('refuses to push before the server is started, saying what to call', () => {
    const { emitter } = setup();
    expect(() => emitter.toUser('alice')).toThrow('The realtime server is not started');
  });
});

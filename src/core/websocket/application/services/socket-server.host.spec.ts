import { SocketServerHost, type RealtimeServer } from './socket-server.host.js';

describe('SocketServerHost', () => {
  it('holds no server until the gateway attaches one, and says so', () => {
    const host = new SocketServerHost();
    expect(host.started).toBe(false);
    expect(() => host.server).toThrow('The realtime server is not started: call app.init() or app.listen() first');
  });

  it('gives every service the server the gateway attached', () => {
    const host = new SocketServerHost();
    const server = {} as RealtimeServer;
    host.attach(server);
    expect(host.started).toBe(true);
    expect(host.server).toBe(server);
  });
});

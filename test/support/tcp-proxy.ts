import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';

/**
 * A loopback TCP proxy a test can cut and restore: an outage between a node
 * and Redis that leaves Redis's data in place (unlike killing redis-server).
 */
export interface TcpProxy {
  port: number;
  /** Drops every connection through it, and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  stop(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) return void client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    port,
    cut() {
      down = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    async stop() {
      down = true;
      for (const socket of open) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { freePort, launchRedis, startRedis, type TestRedis } from '../../../../testing/redis-server.js';
import { connectRedisClients } from '../../../../testing/redis-clients.js';
import { resolveWebsocketOptions } from '../../websocket.module-definition.js';
import type { WebsocketModuleOptions } from '../../websocket.options.js';
import { isRedisUnavailable, RedisClients } from './redis-clients.js';

describe('RedisClients', () => {
  let redis: TestRedis;
  let clients: RedisClients;

  beforeEach(async () => {
    redis = await startRedis();
    clients = await connectRedisClients(redis.url);
  });

  afterEach(async () => {
    await clients.close();
    await redis.stop();
  });

  it('settles room subscriptions once Redis has confirmed them', async () => {
    void clients.sub.ssubscribe('room-a');
    await clients.subscriptionsSettled();
    const [, count] = (await clients.command.call('PUBSUB', 'SHARDNUMSUB', 'room-a')) as [string, number];
    expect(count).toBe(1);
  });

  it('gives up waiting after the timeout while Redis is down, and nothing rejects unhandled', async () => {
    await redis.kill();
    void clients.sub.ssubscribe('room-b');
    const started = Date.now();
    await clients.subscriptionsSettled(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(clients.healthy).toBe(false);
  });

  it('reports resumed subscriptions once they are renewed after the subscriber was lost, with when it was lost', async () => {
    void clients.sub.ssubscribe('room-c');
    await clients.subscriptionsSettled();
    const resumed: number[] = [];
    clients.onResumed((since) => resumed.push(since));
    const lostAfter = Date.now();
    await clients.command.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => resumed.length > 0 && (clearInterval(poll), resolve()), 10);
    });
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toBeGreaterThanOrEqual(lostAfter);
    // Renewed before the listeners were told.
    const [, count] = (await clients.command.call('PUBSUB', 'SHARDNUMSUB', 'room-c')) as [string, number];
    expect(count).toBe(1);
  });
});

describe('RedisClients that cannot reach Redis at start-up', () => {
  const opened: RedisClients[] = [];
  const make = (redis: NonNullable<WebsocketModuleOptions['redis']>) =>
    RedisClients.create(
      resolveWebsocketOptions({ auth: { secret: 'x'.repeat(32) }, redis: { connectTimeoutMs: 300, ...redis }, nodeId: 'n' }),
    );
  /** Starts the clients; the warnings logged meanwhile. */
  const init = async (clients: RedisClients): Promise<string> => {
    opened.push(clients);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await clients.onModuleInit();
      return warn.mock.calls.flat().join('\n');
    } finally {
      warn.mockRestore();
    }
  };

  afterEach(async () => {
    for (const clients of opened.splice(0)) await clients.close();
  });

  it('starts without a Redis that is not up yet, not healthy, and becomes healthy when it comes', async () => {
    const redis = await startRedis();
    await redis.kill();
    try {
      const clients = await make({ url: redis.url });
      const started = Date.now();
      const logged = await init(clients);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(logged).toContain(`Redis at ${redis.url}`);
      expect(logged).toContain('was not reachable within 300 ms; starting without it');
      expect(clients.healthy).toBe(false);

      await redis.start();
      const deadline = Date.now() + 5000;
      while (!clients.healthy && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(clients.healthy).toBe(true);
      expect(await clients.command.ping()).toBe('PONG');
    } finally {
      await redis.stop();
    }
  });

  it('starts without sentinels that do not answer, naming them and never the password', async () => {
    const port = await freePort();
    const logged = await init(await make({ sentinels: [{ host: '127.0.0.1', port }], password: 'pw-secret' }));
    expect(logged).toContain(`Redis primary "mymaster" through the sentinels 127.0.0.1:${port} was not reachable within 300 ms`);
    expect(logged).not.toContain('pw-secret');
  });

  it('starts without a Redis that accepts connections and never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    try {
      const clients = await make({ url: `redis://:pw-secret@127.0.0.1:${port}` });
      const logged = await init(clients);
      expect(logged).toContain(`Redis at redis://:***@127.0.0.1:${port} was not reachable within 300 ms`);
      expect(logged).not.toContain('pw-secret');
      expect(clients.healthy).toBe(false);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('stops the start when Redis refuses the credentials, naming what to check and never the password', async () => {
    const redis = await launchRedis('the start-up test', { args: ['--requirepass', 'right-password'] });
    try {
      for (const password of ['pw-secret', undefined]) {
        const clients = await make({ url: redis.url, connectTimeoutMs: 5000, ...(password && { password }) });
        const started = Date.now();
        const error = await init(clients).then(
          () => new Error('started'),
          (reason: Error) => reason,
        );
        expect(error.message).toMatch(
          new RegExp(
            `^Redis at redis://127\\.0\\.0\\.1:${redis.port}/? refused the credentials \\((WRONGPASS|NOAUTH)\\): check the redis option's username and password`,
          ),
        );
        expect(error.message).toContain('REDIS_PASSWORD');
        expect(error.message).not.toContain('pw-secret');
        // At once, not after the wait for an unreachable Redis.
        expect(Date.now() - started).toBeLessThan(2000);
      }
    } finally {
      await redis.stop();
    }
  });
});

describe('isRedisUnavailable', () => {
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it.each([
    ['a closed connection', new Error('Connection is closed.')],
    ['a connection not ready (no offline queue)', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['a command timeout', new Error('Command timed out')],
    ['Redis out of memory', named('ReplyError', "OOM command not allowed when used memory > 'maxmemory'.")],
    ['a Redis loading its data', named('ReplyError', 'LOADING Redis is loading the dataset in memory')],
    ['a read-only replica after a failover', named('ReplyError', "READONLY You can't write against a read only replica.")],
    ['a cluster failing over', named('ReplyError', 'CLUSTERDOWN The cluster is down')],
    ['a slot migrating', named('ReplyError', 'TRYAGAIN Multiple keys request during rehashing of slot')],
    ['retries used up', named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 1).')],
    ['no cluster node reachable', named('ClusterAllFailedError', 'Failed to refresh slots cache.')],
    [
      'a transaction discarded for memory',
      Object.assign(named('ReplyError', 'EXECABORT Transaction discarded because of previous errors.'), {
        previousErrors: [named('ReplyError', "OOM command not allowed when used memory > 'maxmemory'.")],
      }),
    ],
    ['a dead connection found by the socket timeout', new Error("Socket timeout. Expecting data, but didn't receive any in 2000ms.")],
  ])('is true for %s', (_, error) => {
    expect(isRedisUnavailable(error)).toBe(true);
  });

  it.each([
    ['a script error (a bug)', named('ReplyError', 'ERR Error running script (call to f_abc): @user_script:1: bad argument')],
    ['a wrong type (a bug)', named('ReplyError', 'WRONGTYPE Operation against a key holding the wrong kind of value')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'x')")],
    [
      'a transaction discarded for a bad command (a bug)',
      Object.assign(named('ReplyError', 'EXECABORT Transaction discarded because of previous errors.'), {
        previousErrors: [named('ReplyError', "ERR unknown command 'XADDD'")],
      }),
    ],
    ['a message that merely mentions a timeout', new Error('the policy said: Command timed out')],
    ['not an Error', 'Connection is closed.'],
  ])('is false for %s', (_, error) => {
    expect(isRedisUnavailable(error)).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { WebsocketModule } from '../../core/websocket/index.js';
import { ConnectionRegistry } from '../../core/websocket/internal.js';
import { startRedis, type TestRedis } from '../../testing/redis-server.js';
import { PresenceService } from './application/presence.service.js';
import { InMemoryPresenceLedger } from './infrastructure/in-memory-presence.ledger.js';
import { InMemoryPresenceStore } from './infrastructure/in-memory-presence.store.js';
import { RedisPresenceStore } from './infrastructure/redis-presence.store.js';
import { PresenceLedger } from './ports/presence-ledger.port.js';
import { PresenceStore } from './ports/presence-store.port.js';
import { PresenceModule } from './presence.module.js';
import { PRESENCE_OPTIONS } from './presence.options.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes';

describe('PresenceModule', () => {
  const compile = (
    presence: ReturnType<typeof PresenceModule.forRoot>,
    websocket: Parameters<typeof WebsocketModule.forRoot>[0] = { auth: { secret: SECRET } },
  ) => Test.createTestingModule({ imports: [EventEmitterModule.forRoot(), WebsocketModule.forRoot(websocket), presence] }).compile();

  it('works with no options: in-memory store and ledger, and the documented defaults', async () => {
    const moduleRef = await compile(PresenceModule.forRoot());
    expect(moduleRef.get(PresenceStore)).toBeInstanceOf(InMemoryPresenceStore);
    expect(moduleRef.get(PresenceLedger)).toBeInstanceOf(InMemoryPresenceLedger);
    expect(moduleRef.get(PRESENCE_OPTIONS)).toEqual({ offlineGraceMs: 5000, maxWatchedPerSocket: 1000, lastSeenTtlMs: 2_592_000_000 });
    await moduleRef.close();
  });

  it('takes its options from a factory with forRootAsync', async () => {
    const moduleRef = await compile(PresenceModule.forRootAsync({ useFactory: () => ({ offlineGraceMs: 50 }) }));
    expect(moduleRef.get(PRESENCE_OPTIONS)).toEqual({ offlineGraceMs: 50, maxWatchedPerSocket: 1000, lastSeenTtlMs: 2_592_000_000 });
    await moduleRef.close();
  });

  it('stops start-up on a bad option, naming it', async () => {
    await expect(compile(PresenceModule.forRoot({ offlineGraceMs: -1 }))).rejects.toThrow(/Invalid PresenceModule options: offlineGraceMs/);
    await expect(compile(PresenceModule.forRoot({ maxWatchedPerSocket: 0 }))).rejects.toThrow(/maxWatchedPerSocket/);
  });

  it('ends the grace periods it is timing when the module is destroyed', async () => {
    // No socket server in this module test: the push of the online is logged, not delivered.
    jest.spyOn(Logger.prototype, 'error').mockImplementationOnce(() => undefined);
    const moduleRef = await compile(PresenceModule.forRoot({ offlineGraceMs: 60_000 }));
    const registry = moduleRef.get(ConnectionRegistry);
    const socket = { socketId: 's1', userId: 'alice', nodeId: 'n1' };
    await registry.add(socket, 5);
    const presence = moduleRef.get(PresenceService);
    await presence.userConnected({ userId: 'alice', at: Date.now() });
    await registry.remove(socket);
    presence.userDisconnected({ userId: 'alice', at: Date.now() });
    await new Promise((resolve) => setImmediate(resolve));
    expect(presence.pendingGraceCount).toBe(1);
    await moduleRef.close();
    expect(presence.pendingGraceCount).toBe(0);
  });

  describe('with Redis configured in the core', () => {
    let redis: TestRedis;

    beforeAll(async () => {
      redis = await startRedis();
    });

    afterAll(async () => {
      await redis?.stop();
    });

    it('keeps presence and its grace periods in Redis: one instance is the store and the ledger', async () => {
      const moduleRef = await compile(PresenceModule.forRoot({ offlineGraceMs: 100 }), {
        auth: { secret: SECRET },
        redis: { url: redis.url },
      });
      const store = moduleRef.get(PresenceStore);
      expect(store).toBeInstanceOf(RedisPresenceStore);
      expect(moduleRef.get(PresenceLedger)).toBe(store);
      await moduleRef.close();
    });
  });
});

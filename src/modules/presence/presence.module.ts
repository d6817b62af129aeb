import { Module, type DynamicModule } from '@nestjs/common';
import { RedisClients } from '../../core/websocket/index.js';
import { PresenceConnectionListener } from './api/presence-connection.listener.js';
import { PresenceHandlers } from './api/presence.handlers.js';
import { PresenceSubscriptions } from './application/presence-subscriptions.service.js';
import { PresenceService } from './application/presence.service.js';
import { InMemoryPresenceStore } from './infrastructure/in-memory-presence.store.js';
import { RedisPresenceStore } from './infrastructure/redis-presence.store.js';
import { PresenceLedger } from './ports/presence-ledger.port.js';
import { PresenceStore } from './ports/presence-store.port.js';
import { PRESENCE_OPTIONS, resolvePresenceOptions, type PresenceModuleOptions, type ResolvedPresenceOptions } from './presence.options.js';

export type { PresenceModuleOptions } from './presence.options.js';

/**
 * Who is online, away, busy or offline: derived from the core's connection
 * registry, served through `presence:*` events, announced to subscribers as
 * `presence:update` and in-process as `presence.online` / `presence.offline`.
 * Needs `WebsocketModule` and `EventEmitterModule.forRoot()` in the app.
 * When the core has Redis, presence lives there too and the grace periods
 * are settled by whichever node's sweeper finds them due; otherwise it is in
 * memory, with a timer per grace period.
 *
 * @example
 * PresenceModule.forRoot({ offlineGraceMs: 5000 })
 */
@Module({})
export class PresenceModule {
  static forRoot(options: PresenceModuleOptions = {}): DynamicModule {
    return {
      module: PresenceModule,
      providers: [
        { provide: PRESENCE_OPTIONS, useFactory: () => resolvePresenceOptions(options) },
        {
          provide: PresenceStore,
          useFactory: (redis: RedisClients, resolved: ResolvedPresenceOptions) =>
            redis.enabled ? new RedisPresenceStore(redis, resolved.offlineGraceMs) : new InMemoryPresenceStore(),
          inject: [RedisClients, PRESENCE_OPTIONS],
        },
        // Only the Redis twin keeps grace periods: without one, PresenceService runs its own timers.
        { provide: PresenceLedger, useFactory: (store: PresenceStore) => (store instanceof RedisPresenceStore ? store : null), inject: [PresenceStore] },
        PresenceService,
        PresenceSubscriptions,
        PresenceHandlers,
        PresenceConnectionListener,
      ],
      exports: [PresenceService],
    };
  }
}

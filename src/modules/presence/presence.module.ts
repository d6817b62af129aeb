import { Module, type DynamicModule } from '@nestjs/common';
import { ConnectionRegistry, RedisClients } from '../../core/websocket/internal.js';
import { PresenceConnectionListener } from './api/presence-connection.listener.js';
import { PresenceSessionListener } from './api/presence-session.listener.js';
import { PresenceHandlers } from './api/presence.handlers.js';
import { PresenceSubscriptions } from './application/presence-subscriptions.service.js';
import { PresenceService } from './application/presence.service.js';
import { InMemoryPresenceLedger } from './infrastructure/in-memory-presence.ledger.js';
import { InMemoryPresenceStore } from './infrastructure/in-memory-presence.store.js';
import { RedisPresenceStore } from './infrastructure/redis-presence.store.js';
import { PresenceLedger } from './ports/presence-ledger.port.js';
import { PresenceStore } from './ports/presence-store.port.js';
import { PresenceVisibilityPolicy } from './ports/presence-visibility-policy.port.js';
import { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE } from './presence.module-definition.js';
import { PRESENCE_OPTIONS, resolvePresenceOptions, type ResolvedPresenceOptions } from './presence.options.js';

export type { PresenceModuleOptions } from './presence.options.js';

/**
 * Who is online, away, busy or offline: derived from the core's connection
 * registry, served through `presence:*` events, announced to subscribers as
 * `presence:update` and in-process as `presence.online` / `presence.offline`.
 * Needs `WebsocketModule` and `EventEmitterModule.forRoot()` in the app.
 * When the core has Redis, presence and its grace periods live there too,
 * settled by whichever node's sweep finds them due; otherwise in memory, with
 * a timer per grace period. Who may see whose presence is a replaceable
 * policy (everyone, by default).
 *
 * @example
 * PresenceModule.forRoot({ offlineGraceMs: 5000, visibilityPolicy: ContactsOnlyPolicy, imports: [ContactsModule] })
 */
@Module({
  providers: [
    { provide: PRESENCE_OPTIONS, useFactory: resolvePresenceOptions, inject: [MODULE_OPTIONS_TOKEN] },
    {
      provide: PresenceStore,
      useFactory: (redis: RedisClients, options: ResolvedPresenceOptions) =>
        redis.enabled
          ? new RedisPresenceStore(redis, options.offlineGraceMs, options.lastSeenTtlMs)
          : new InMemoryPresenceStore(options.lastSeenTtlMs),
      inject: [RedisClients, PRESENCE_OPTIONS],
    },
    // The Redis store is its own ledger: its scripts keep presence and grace periods in one atomic step.
    {
      provide: PresenceLedger,
      useFactory: (store: PresenceStore, registry: ConnectionRegistry, options: ResolvedPresenceOptions) =>
        store instanceof RedisPresenceStore ? store : new InMemoryPresenceLedger(store, registry, options.offlineGraceMs),
      inject: [PresenceStore, ConnectionRegistry, PRESENCE_OPTIONS],
    },
    PresenceService,
    PresenceSubscriptions,
    PresenceHandlers,
    PresenceConnectionListener,
    PresenceSessionListener,
  ],
  exports: [PresenceService, PresenceVisibilityPolicy],
})
export class PresenceModule extends ConfigurableModuleClass {
  /** Every option is optional, so `PresenceModule.forRoot()` is the default presence. */
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return ConfigurableModuleClass.forRoot.call(this, options);
  }
}

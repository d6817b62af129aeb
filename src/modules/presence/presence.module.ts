import { Module, type DynamicModule } from '@nestjs/common';
import { PresenceConnectionListener } from './api/presence-connection.listener.js';
import { PresenceHandlers } from './api/presence.handlers.js';
import { PresenceSubscriptions } from './application/presence-subscriptions.service.js';
import { PresenceService } from './application/presence.service.js';
import { InMemoryPresenceStore } from './infrastructure/in-memory-presence.store.js';
import { PresenceStore } from './ports/presence-store.port.js';
import { PRESENCE_OPTIONS, resolvePresenceOptions, type PresenceModuleOptions } from './presence.options.js';

export type { PresenceModuleOptions } from './presence.options.js';

/**
 * Who is online, away, busy or offline: derived from the core's connection
 * registry, served through `presence:*` events, announced to subscribers as
 * `presence:update` and in-process as `presence.online` / `presence.offline`.
 * Needs `WebsocketModule` and `EventEmitterModule.forRoot()` in the app.
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
        { provide: PresenceStore, useClass: InMemoryPresenceStore },
        PresenceService,
        PresenceSubscriptions,
        PresenceHandlers,
        PresenceConnectionListener,
      ],
      exports: [PresenceService],
    };
  }
}

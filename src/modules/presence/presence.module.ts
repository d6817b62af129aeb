import { Module, type DynamicModule } from '@nestjs/common';

export interface PresenceModuleOptions {
  /** How long a user with no socket left stays online, waiting for a reconnect. @default 5000 */
  offlineGraceMs?: number;
}

@Module({})
export class PresenceModule {
  static forRoot(_options: PresenceModuleOptions = {}): DynamicModule {
    return { module: PresenceModule };
  }
}

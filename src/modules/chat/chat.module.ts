import { Module, type DynamicModule } from '@nestjs/common';

export interface ChatModuleOptions {
  /** Messages kept per room; the oldest are dropped first. @default 1000 */
  historyPerRoom?: number;
}

@Module({})
export class ChatModule {
  static forRoot(_options: ChatModuleOptions = {}): DynamicModule {
    return { module: ChatModule };
  }
}

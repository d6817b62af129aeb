import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { createRealtimePublisher, type RealtimePublisher, type RealtimePublisherOptions } from './realtime-publisher.js';

/** DI token of the publisher `RealtimePublisherModule` provides. */
export const REALTIME_PUBLISHER = Symbol('REALTIME_PUBLISHER');

/** Injects the module's publisher. @example constructor(@InjectRealtimePublisher() private readonly publisher: RealtimePublisher) {} */
export const InjectRealtimePublisher = (): ParameterDecorator => Inject(REALTIME_PUBLISHER);

/** Closes the publisher's Redis connections when the app shuts down. */
class PublisherCloser implements OnApplicationShutdown {
  constructor(@Inject(REALTIME_PUBLISHER) private readonly publisher: RealtimePublisher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close();
  }
}

/**
 * The publisher for a Nest app that holds no sockets (a worker, a queue
 * consumer): connected before the app starts, closed when it shuts down.
 *
 * @example
 * @Module({ imports: [RealtimePublisherModule.forRoot({ redis: { url: process.env.REDIS_URL! } })] })
 * export class WorkerModule {}
 */
@Module({})
export class RealtimePublisherModule {
  static forRoot(options: RealtimePublisherOptions): DynamicModule {
    return {
      module: RealtimePublisherModule,
      providers: [{ provide: REALTIME_PUBLISHER, useFactory: () => createRealtimePublisher(options) }, PublisherCloser],
      exports: [REALTIME_PUBLISHER],
    };
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { MessageRouter } from '../../core/websocket/application/services/message-router.service.js';
import { WEBSOCKET_OPTIONS } from '../../core/websocket/websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../core/websocket/websocket.options.js';
import { REALTIME_HTTP_OPTIONS, type ResolvedRealtimeHttpOptions } from '../realtime-http.options.js';
import { buildAsyncApiDocument } from './asyncapi.document.js';

/**
 * The AsyncAPI document of every contract the app's handlers declare
 * (`@RealtimeHandler({ contract })`), the built-in modules' and the app's
 * own alike; built once, at application bootstrap, when every route is known.
 */
@Injectable()
export class RealtimeAsyncApi implements OnApplicationBootstrap {
  private readonly logger = new Logger('AsyncApi');
  private built?: Record<string, unknown>;

  constructor(
    private readonly router: MessageRouter,
    @Inject(WEBSOCKET_OPTIONS) private readonly websocket: ResolvedWebsocketOptions,
    @Inject(REALTIME_HTTP_OPTIONS) private readonly options: ResolvedRealtimeHttpOptions,
  ) {}

  onApplicationBootstrap(): void {
    const contracts = this.router.contracts;
    const routed = new Set(this.router.events.keys());
    const declared = new Set(contracts.flatMap((contract) => Object.keys(contract.requests)));
    const undeclared = [...routed].filter((event) => !declared.has(event));
    // Not fatal: the events work, they are only missing from the document.
    if (undeclared.length > 0) {
      this.logger.warn(`Routed events whose handlers declare no contract, so missing from the AsyncAPI document: ${undeclared.join(', ')}`);
    }
    this.built = buildAsyncApiDocument(contracts, routed, { ...this.options.asyncapiInfo, path: this.websocket.path });
  }

  get document(): Record<string, unknown> {
    if (!this.built) throw new Error('The AsyncAPI document is built at application bootstrap');
    return this.built;
  }
}

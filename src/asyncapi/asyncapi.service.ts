import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/app-config.token.js';
import type { AppConfig } from '../config/app.config.js';
import { contracts } from '../contract.js';
import { MessageRouter } from '../core/websocket/index.js';
import { buildAsyncApiDocument } from './asyncapi.document.js';

export const ASYNCAPI_INFO = {
  title: 'nest-realtime',
  version: '1.0.0',
  description: 'The wire protocol, version 1: chat, presence and notifications over one Socket.IO gateway. See docs/protocol.md.',
};

/** Builds the AsyncAPI document once, at start-up, from the router's registry and the contracts. */
@Injectable()
export class AsyncApiService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AsyncApi');
  private built?: Record<string, unknown>;

  constructor(
    private readonly router: MessageRouter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const routed = new Set(this.router.events.keys());
    const declared = new Set(contracts.flatMap((contract) => Object.keys(contract.requests)));
    const undeclared = [...routed].filter((event) => !declared.has(event));
    // Not fatal: a module added without its contract still works, its events are only missing from the document
    // (and test/contract.e2e-spec.ts fails for this app's own modules).
    if (undeclared.length > 0) this.logger.warn(`Routed events with no contract, so missing from the AsyncAPI document: ${undeclared.join(', ')}`);
    this.built = buildAsyncApiDocument(contracts, routed, { ...ASYNCAPI_INFO, path: this.config.websocket.path ?? '/socket.io' });
  }

  get document(): Record<string, unknown> {
    if (!this.built) throw new Error('The AsyncAPI document is built at application bootstrap');
    return this.built;
  }
}

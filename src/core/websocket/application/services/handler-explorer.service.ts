import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { RealtimeContract } from '../../domain/contract.js';
import { invalidEventNameMessage, scopedHandlerMessage } from '../../websocket.messages.js';
import { ON_MESSAGE_METADATA, REALTIME_HANDLER_METADATA, type RealtimeHandlerOptions } from '../realtime-handler.constants.js';

export interface DiscoveredHandler {
  event: string;
  instance: object;
  methodName: string;
  /** `Class.method`, for messages. */
  name: string;
}

/** What the explorer found: the handler methods, and the contracts their classes declare (each once, in discovery order). */
export interface Exploration {
  handlers: DiscoveredHandler[];
  contracts: RealtimeContract[];
}

const EVENT_NAME = /^[a-z0-9][a-z0-9_-]*:[a-z0-9][a-z0-9_-]*$/;

/** Finds every `@OnMessage()` method of every `@RealtimeHandler()` provider. */
@Injectable()
export class HandlerExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  explore(): Exploration {
    const found: DiscoveredHandler[] = [];
    const contracts = new Set<RealtimeContract>();
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper;
      const options =
        metatype && !wrapper.isAlias
          ? (Reflect.getMetadata(REALTIME_HANDLER_METADATA, metatype) as RealtimeHandlerOptions | undefined)
          : undefined;
      if (!options) continue;
      if (options.contract) contracts.add(options.contract);
      const className = (metatype as { name: string }).name;
      if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) throw new Error(scopedHandlerMessage(className));
      if (!instance || !Object.getPrototypeOf(instance)) continue;
      for (const methodName of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const event: unknown = Reflect.getMetadata(ON_MESSAGE_METADATA, (instance as Record<string, unknown>)[methodName] as object);
        if (event === undefined) continue;
        const name = `${className}.${methodName}`;
        if (typeof event !== 'string' || !EVENT_NAME.test(event)) throw new Error(invalidEventNameMessage(String(event), name));
        found.push({ event, instance, methodName, name });
      }
    }
    return { handlers: found, contracts: [...contracts] };
  }
}

import { ConfigurableModuleBuilder } from '@nestjs/common';
import { hostname } from 'node:os';
import { parseModuleOptions } from './domain/parse-options.js';
import { websocketOptionsSchema, type ResolvedWebsocketOptions, type WebsocketModuleOptions } from './websocket.options.js';

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<WebsocketModuleOptions>()
    .setClassMethodName('forRoot')
    // Global by default: feature modules inject RealtimeEmitter and ConnectionManager without importing it again.
    .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
    .build();

/** DI token of the validated options with their defaults applied. */
export const WEBSOCKET_OPTIONS = Symbol('WEBSOCKET_OPTIONS');

/** Validates the module's options once; a bad value stops start-up with the option's path in the message. */
export function resolveWebsocketOptions(options: WebsocketModuleOptions): ResolvedWebsocketOptions {
  const parsed = parseModuleOptions('WebsocketModule', websocketOptionsSchema, options);
  return { ...parsed, nodeId: parsed.nodeId ?? `${hostname()}-${process.pid}` };
}

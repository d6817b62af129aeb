import { ConfigurableModuleBuilder, type DynamicModule, type Type } from '@nestjs/common';
import { parseModuleOptions } from '../../core/websocket/internal.js';
import { chatOptionsSchema, type ChatModuleOptions, type ResolvedChatOptions } from './chat.options.js';
import { ClaimsRoomAccessPolicy } from './infrastructure/claims-room-access.policy.js';
import { RoomAccessPolicy } from './ports/room-access-policy.port.js';

/** Choices that change which providers the module has, rather than how they behave. */
export interface ChatModuleExtras {
  /** The class that answers `RoomAccessPolicy`. @default ClaimsRoomAccessPolicy */
  accessPolicy?: Type<RoomAccessPolicy>;
  /** Modules the access policy needs for its own dependencies (`forRootAsync` takes `imports` as usual). @default [] */
  imports?: NonNullable<DynamicModule['imports']>;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<ChatModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras<ChatModuleExtras>({ accessPolicy: ClaimsRoomAccessPolicy, imports: [] }, (definition, extras) => ({
      ...definition,
      imports: [...(definition.imports ?? []), ...(extras.imports ?? [])],
      providers: [...(definition.providers ?? []), { provide: RoomAccessPolicy, useClass: extras.accessPolicy ?? ClaimsRoomAccessPolicy }],
    }))
    .build();

/** Validates the module's options once; a bad value stops start-up with the option's name in the message. */
export function resolveChatOptions(options: ChatModuleOptions): ResolvedChatOptions {
  return parseModuleOptions('ChatModule', chatOptionsSchema, options);
}

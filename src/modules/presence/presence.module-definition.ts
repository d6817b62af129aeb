import { ConfigurableModuleBuilder, type DynamicModule, type Type } from '@nestjs/common';
import { EveryoneVisiblePolicy } from './infrastructure/everyone-visible.policy.js';
import { PresenceVisibilityPolicy } from './ports/presence-visibility-policy.port.js';
import type { PresenceModuleOptions } from './presence.options.js';

/** Choices that change which providers the module has, rather than how they behave. */
export interface PresenceModuleExtras {
  /** The class that answers `PresenceVisibilityPolicy`. @default EveryoneVisiblePolicy */
  visibilityPolicy?: Type<PresenceVisibilityPolicy>;
  /** Modules the visibility policy needs for its own dependencies (`forRootAsync` takes `imports` as usual). @default [] */
  imports?: NonNullable<DynamicModule['imports']>;
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<PresenceModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras<PresenceModuleExtras>({ visibilityPolicy: EveryoneVisiblePolicy, imports: [] }, (definition, extras) => ({
      ...definition,
      imports: [...(definition.imports ?? []), ...(extras.imports ?? [])],
      providers: [
        ...(definition.providers ?? []),
        { provide: PresenceVisibilityPolicy, useClass: extras.visibilityPolicy ?? EveryoneVisiblePolicy },
      ],
    }))
    .build();

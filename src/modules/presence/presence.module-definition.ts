import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PresenceModuleOptions } from './presence.options.js';

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<PresenceModuleOptions>().setClassMethodName('forRoot').build();

import { ConsoleLogger, type INestApplication, type LogLevel } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppModule } from './app.module.js';
import { LOG_LEVELS, type AppConfig, type AppLogLevel } from './config/app.config.js';
import { RedisIoAdapter } from './core/websocket/index.js';
import { PublishErrorsFilter } from './http/index.js';

/** `public/` beside `src/` and `dist/`. */
const DEMO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');

/** LOG_LEVEL names the least severe level printed. */
export function logLevelsFrom(level: AppLogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

/** Builds the app from a validated config; the caller listens. Tests use it with their own config. */
export async function createApp(config: AppConfig, logger: ConsoleLogger | false = appLogger(config)): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: logger === false ? false : logger,
    bufferLogs: false,
  });
  app.useWebSocketAdapter(new RedisIoAdapter(app));
  // The publish API answers a body that is not JSON, or too large for the parser, in its own error shape.
  app.useGlobalFilters(new PublishErrorsFilter(app.get(HttpAdapterHost).httpAdapter));
  // The demo page signs in through the dev token endpoint, so it is served with it.
  if (config.devAuth) app.useStaticAssets(DEMO_DIR, { index: 'index.html' });
  return app;
}

export function appLogger(config: AppConfig): ConsoleLogger {
  return new ConsoleLogger({
    json: config.production,
    colors: !config.production && process.stdout.isTTY,
    logLevels: logLevelsFrom(config.logLevel),
  });
}

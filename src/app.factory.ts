import { ConsoleLogger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { LOG_LEVELS, type AppConfig, type AppLogLevel } from './config/app.config.js';
import { RedisIoAdapter } from './core/websocket/index.js';

/** LOG_LEVEL names the least severe level printed. */
export function logLevelsFrom(level: AppLogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

/** Builds the app from a validated config; the caller listens. Tests use it with their own config. */
export async function createApp(config: AppConfig, logger: ConsoleLogger | false = appLogger(config)): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: logger === false ? false : logger, bufferLogs: false });
  app.useWebSocketAdapter(new RedisIoAdapter(app));
  return app;
}

export function appLogger(config: AppConfig): ConsoleLogger {
  return new ConsoleLogger({ json: config.production, colors: !config.production && process.stdout.isTTY, logLevels: logLevelsFrom(config.logLevel) });
}

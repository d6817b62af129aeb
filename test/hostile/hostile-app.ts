import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/app.config.js';
import type { WebsocketModuleOptions } from '../../src/core/websocket/index.js';
import { SECRET, serve, type TestApp } from '../support/app.js';

/**
 * The real app, like `startApp`, with module options that have no environment
 * variable of their own (`maxOutgoingBufferBytes`, `connectTimeoutMs`, ...).
 */
export async function startAppWith(options: Partial<WebsocketModuleOptions>, env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET, LOG_LEVEL: 'error', WS_SHUTDOWN_GRACE_MS: '300', ...env });
  config.websocket = { ...config.websocket, ...options };
  return serve(await createApp(config, false), config);
}

/** Polls until `check` holds. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

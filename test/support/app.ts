import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/app.factory.js';
import { loadConfig, type AppConfig } from '../../src/config/app.config.js';
import { serve as serveApp, signTestToken, TEST_JWT_SECRET, type TestServer } from '../../src/testing/index.js';

// Our own suites use the test kit (src/testing), so it stays correct.
export { openClient, ready, type ClientOptions } from '../../src/testing/index.js';

export const SECRET = TEST_JWT_SECRET;
export const signToken = (userId: string, claims?: Record<string, unknown>): string => signTestToken(userId, claims);

/** A test server running this project's app, with the config it was built from. */
export interface TestApp extends TestServer {
  config: AppConfig;
}

/** Starts the real app on a free loopback port with the given environment on top of a test baseline. */
export async function startApp(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET, LOG_LEVEL: 'error', WS_SHUTDOWN_GRACE_MS: '300', ...env });
  return serve(await createApp(config, false), config);
}

/** Serves any app that imports WebsocketModule; `config` is only reported back. */
export async function serve(app: INestApplication, config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET })): Promise<TestApp> {
  return { ...(await serveApp(app)), config };
}

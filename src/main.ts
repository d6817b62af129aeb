import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/app.config.js';

/**
 * Connections the kernel queues for the node while it is busy (Node's default
 * is 511; Linux caps it at net.core.somaxconn, 4096 by default). A node that
 * takes over a drained node's clients receives thousands of handshakes in a
 * few seconds; with a short queue the kernel drops their SYNs and each of
 * those clients waits for its retransmission (after 1 s, then 3 s, 7 s...).
 */
const LISTEN_BACKLOG = 4096;

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const app = await createApp(config);
  const logger = new Logger('Bootstrap');
  if (config.generatedSecret) {
    logger.warn('No JWT_SECRET or JWT_PUBLIC_KEY: signing with a random secret made for this run; POST /auth/dev-token is on');
  } else if (config.devAuth) {
    logger.warn('DEV_AUTH is on: POST /auth/dev-token signs tokens for anyone who asks');
  }
  // Nest's own shutdown hooks re-raise the signal after closing; a drained
  // node should instead exit 0, so the signals are handled here.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: draining`);
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(`Shutdown failed: ${error.message}`, error.stack);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // Nest hands the arguments after the port to Node's server.listen(port, host, backlog); its types name only the host.
  const listen = app.listen.bind(app) as (port: number, host: string | undefined, backlog: number) => Promise<unknown>;
  await listen(config.port, undefined, LISTEN_BACKLOG);
  logger.log(`Listening on port ${config.port}`);
}

void bootstrap();

// This project's app, built from src/ exactly as src/app.factory.ts builds it
// (AppModule.forRoot(config) from the environment, RedisIoAdapter, the app's
// logger), plus one bench-only module with a `bench:echo` handler that goes
// through the full pipeline: handshake JWT, router, session check, rate limit,
// logging interceptor, zod validation, ack envelope. The fan-out uses the
// real `chat:join` / `chat:send`.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessageBody } from '@nestjs/websockets';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ready } from './control.mjs';
import { decorateClass, decorateMethod, param, paramTypes } from './decorate.mjs';

// The harness runs a build of its own (BENCH_APP_DIST, bench/.app-dist), so a
// concurrent `npm run build` cannot swap dist/ under a running benchmark.
const distDir = process.env.BENCH_APP_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url));
const load = (path) => import(pathToFileURL(join(distDir, path)).href);
const { appLogger } = await load('app.factory.js');
const { AppModule } = await load('app.module.js');
const { loadConfig } = await load('config/app.config.js');
const { OnMessage, RealtimeHandler, RedisIoAdapter } = await load('core/websocket/index.js');

const echoSchema = z.object({ text: z.string().min(1).max(4000) });

// Declared like any module's events, so the AsyncAPI document lists it.
const benchContract = {
  requests: { 'bench:echo': { summary: 'Benchmark only: replies with the validated body', body: echoSchema, reply: echoSchema } },
  pushes: {},
};

class BenchEchoHandlers {
  echo(body) {
    return body;
  }
}
decorateMethod(BenchEchoHandlers, 'echo', OnMessage('bench:echo'), param(0, MessageBody({ schema: echoSchema })), paramTypes(Object));
decorateClass(BenchEchoHandlers, RealtimeHandler({ contract: benchContract }));

class BenchEchoModule {}
decorateClass(BenchEchoModule, Module({ providers: [BenchEchoHandlers] }));

const config = loadConfig();

class BenchAppModule {
  static forRoot() {
    return { module: BenchAppModule, imports: [AppModule.forRoot(config), BenchEchoModule] };
  }
}
decorateClass(BenchAppModule, Module({}));

// As createApp() in src/app.factory.ts, with BenchAppModule around AppModule.
const app = await NestFactory.create(BenchAppModule.forRoot(), { logger: appLogger(config), bufferLogs: false });
app.useWebSocketAdapter(new RedisIoAdapter(app));
// SIGTERM drains as src/main.ts has it (server:shutdown, up to WS_SHUTDOWN_GRACE_MS for clients to move,
// the node out of the registry, exit 0); the scale run's reconnect storm sends it.
process.once(
  'SIGTERM',
  () =>
    void app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    ),
);
// The backlog src/main.ts listens with.
await app.listen(config.port, '127.0.0.1', 4096);
ready(app.getHttpServer().address().port);

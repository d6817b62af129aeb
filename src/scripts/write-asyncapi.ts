import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { createApp } from '../app.factory.js';
import { RealtimeAsyncApi } from '../http/index.js';
import { loadConfig } from '../config/app.config.js';

/** `npm run docs:asyncapi`: writes docs/asyncapi.json from a started (not listening) app. */
const app = await createApp(
  loadConfig({ NODE_ENV: 'development', JWT_SECRET: 'the-asyncapi-writer-needs-no-real-secret', LOG_LEVEL: 'error' }),
  false,
);
await app.init();
const file = process.argv[2] ?? 'docs/asyncapi.json';
writeFileSync(file, `${JSON.stringify(app.get(RealtimeAsyncApi).document, null, 2)}\n`);
await app.close();
console.log(`wrote ${file}`);

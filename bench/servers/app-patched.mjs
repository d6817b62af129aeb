// The app (nest-app.mjs) with parts of its per-event path taken out, for
// `npm run bench:ab` (bench/ab.mjs) to measure what each part costs: what
// the A/B comparison of the app with and without a part gives is that
// part's share of the app's CPU per echo. BENCH_PATCH lists the parts,
// joined by `+`. These are measurements, never a configuration: a patched
// app skips checks every client is owed.
//
//   novalidate  bodies are not validated (the schema is not run)
//   noinvoker   `bench:echo` answers with the body as it came: no validation, no handler call
//   nometrics   no per-event metrics
//   nosession   no session expiry check per event
//   nolimit     no rate-limit bucket per event
//   nooutgoing  no outgoing-buffer watch per connection
//   norouter    the router answers every event with `{ ok: true, data: body }` and does nothing else
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const distDir = process.env.BENCH_APP_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url));
const load = (path) => import(pathToFileURL(join(distDir, path)).href);
// The core's internals (router, pipe, metrics, session), beyond its public entry.
const ws = await load('core/websocket/internal.js');

const PATCHES = {
  async novalidate() {
    ws.messageValidationPipe.check = (value) => value;
  },
  async noinvoker() {
    const { DirectInvoker } = await load('core/websocket/application/services/direct-invoker.js');
    const compile = DirectInvoker.prototype.compile;
    DirectInvoker.prototype.compile = function (instance, methodName) {
      return methodName === 'echo' ? (_socket, body) => body : compile.call(this, instance, methodName);
    };
  },
  async nometrics() {
    ws.RealtimeMetrics.prototype.count = () => {};
  },
  async nosession() {
    ws.SessionService.prototype.assertActive = () => {};
  },
  async nolimit() {
    const { TokenBucket } = await load('core/websocket/domain/token-bucket.js');
    TokenBucket.prototype.take = () => true;
  },
  async nooutgoing() {
    const { OutgoingBufferMonitor } = await load('core/websocket/infrastructure/backpressure/outgoing-buffer.monitor.js');
    OutgoingBufferMonitor.prototype.watch = () => {};
  },
  async norouter() {
    ws.MessageRouter.prototype.dispatch = (_socket, args) => {
      const ack = args[args.length - 1];
      if (typeof ack === 'function') ack({ ok: true, data: args[1] });
    };
  },
};

for (const name of (process.env.BENCH_PATCH ?? '').split('+').filter(Boolean)) {
  const patch = PATCHES[name];
  if (!patch) throw new Error(`BENCH_PATCH: unknown part ${name}; known: ${Object.keys(PATCHES).join(', ')}`);
  await patch();
}

await import('./nest-app.mjs');

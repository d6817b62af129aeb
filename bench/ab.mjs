// `npm run bench:ab -- <A> <B>`: what B costs per echo against A. Both
// servers start fresh for each pair, side by side on the server core; the
// generator (this process, on the other core) drives the echo closed loop of
// 50 clients at one and then the other in alternating 250 ms slices, as the
// paired scenario does, and reads each server's CPU from /proc. Prints each
// pair's CPU per echo and the median ratio B/A.
//
// A side is a variant id (ws, socketio, nest, app), `app+<patch>+<patch>`
// for the app with parts of its per-event path taken out (see
// bench/servers/app-patched.mjs), or the path of a server script that speaks
// bench/servers/control.mjs's protocol.
//
//   npm run bench:ab -- socketio app                      the app against bare Socket.IO
//   npm run bench:ab -- app app+novalidate --pairs=10     what validating the body costs
//   npm run bench:ab -- socketio ./my-server.mjs --ms=5000
import { spawn } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from './lib/build.mjs';
import { CORES, HAS_TASKSET, startServer, waitQuiet } from './lib/proc.mjs';
import { median } from './lib/report.mjs';
import { addSide, SLICE_MS, slices } from './lib/scenarios/paired.mjs';
import { GROWN_YOUNG_GENERATION, VARIANTS } from './lib/variants.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flags = Object.fromEntries(args.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')));
const sides = args.filter((a) => !a.startsWith('--'));
const pin = HAS_TASKSET && CORES >= 2;

// A mistyped flag (--pair=10) must not quietly run the defaults.
const badFlag = Object.entries(flags).find(([key, value]) => !['pairs', 'ms'].includes(key) || !/^[1-9][0-9]*$/.test(value ?? ''));
if (sides.length !== 2 || badFlag) {
  if (badFlag)
    console.error(`bench:ab: unknown flag or not a positive integer: --${badFlag[0]}${badFlag[1] === undefined ? '' : `=${badFlag[1]}`}`);
  console.error(
    'usage: npm run bench:ab -- <A> <B> [--pairs=6] [--ms=3000]   (A, B: ws | socketio | nest | app | app+<patch>... | path/to/server.mjs)',
  );
  process.exit(2);
}
if (!process.env.BENCH_CHILD && pin) {
  // The generator on core 1, as in `npm run bench`.
  const child = spawn('taskset', ['-c', '1', process.execPath, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_CHILD: '1' },
  });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  await main();
}

/** The server a side names: its script, environment and node flags. */
function serverOf(side) {
  const [id, ...patches] = side.split('+');
  const variant = VARIANTS.find((v) => v.id === id);
  if (!variant) {
    const app = VARIANTS.find((v) => v.id === 'app');
    // A script of one's own gets the app's environment (JWT secret, rate limits high enough, the bench
    // build) and the young generation the bare variants start with (see GROWN_YOUNG_GENERATION).
    return {
      name: side,
      script: isAbsolute(side) ? side : resolve(side),
      env: app.env,
      nodeArgs: GROWN_YOUNG_GENERATION,
      raw: false,
      build: true,
    };
  }
  if (patches.length > 0 && id !== 'app') throw new Error(`${side}: only the app takes patches`);
  const script = patches.length > 0 ? fileURLToPath(new URL('./servers/app-patched.mjs', import.meta.url)) : variant.script;
  return {
    name: side,
    script,
    env: { ...variant.env, BENCH_PATCH: patches.join('+') },
    nodeArgs: variant.loadNodeArgs ?? [],
    raw: variant.raw,
    build: id === 'app',
  };
}

async function main() {
  const pairs = Number(flags.pairs ?? 6);
  const sideMs = Number(flags.ms ?? 3000);
  const servers = sides.map(serverOf);
  if (servers.some((server) => server.build)) {
    const build = buildApp(root);
    if (build.built) console.log(`built src/ into bench/.app-dist (src ${build.srcHash})`);
  }
  console.log(
    `A = ${sides[0]}, B = ${sides[1]}: ${pairs} pairs of fresh servers, ${sideMs} ms per side in ${SLICE_MS} ms slices${pin ? '' : ' (NOT pinned)'}`,
  );
  const ratios = [];
  for (let p = 0; p < pairs; p++) {
    const started = [];
    const pair = [];
    try {
      for (const server of servers) {
        const { name, script, env, nodeArgs } = server;
        const handle = await startServer({ name, script, env, nodeArgs, cpu: pin ? 0 : undefined });
        started.push(handle);
        await addSide(pair, handle, { count: 50, raw: server.raw, label: name });
      }
      await slices(pair, 2000, 0);
      await waitQuiet({ maxWaitMs: 30000, windowMs: 300 });
      const { base, self } = await slices(pair, sideMs * 2, p % 2);
      const [a, b] = [base.cpuPerMsgUs, self.cpuPerMsgUs];
      ratios.push(b / a);
      console.log(`pair ${p + 1}: A ${a.toFixed(2)} µs, B ${b.toFixed(2)} µs of CPU per echo: B/A ${(b / a).toFixed(3)}`);
    } finally {
      for (const side of pair) for (const client of side.clients) client.close();
      for (const handle of started) await handle.stop();
    }
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  console.log(`median B/A ${median(ratios).toFixed(3)} (${sorted.map((r) => r.toFixed(3)).join(', ')})`);
}

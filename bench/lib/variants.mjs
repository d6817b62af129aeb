// The server variants, each a script under bench/servers/ that the harness
// starts as a child process pinned to the server core.
import { fileURLToPath } from 'node:url';
import { SECRET } from './tokens.mjs';

/** Where the harness builds the app (see build.mjs). */
export const APP_DIST = fileURLToPath(new URL('../.app-dist', import.meta.url));

const script = (name) => fileURLToPath(new URL(`../servers/${name}`, import.meta.url));

/** Rate limits high enough never to refuse a bench event; the limiter still runs on every event. */
export const APP_RATE_LIMIT = 1_000_000;

const common = { JWT_SECRET: SECRET, NODE_ENV: 'production', PORT: '0' };

/**
 * Node flags for a small server in the load scenarios (all but memory): V8's
 * young generation at the size a server under load keeps. V8 starts a process
 * with 1 MB semi-spaces and doubles them as objects survive scavenges, up to
 * 16 MB (its default maximum on 64-bit), and does not shrink them while the
 * process keeps allocating. A Nest process's boot takes it to 16 MB before the
 * first connection; bare Socket.IO (and bare ws) start at 8 MB or less and get
 * there after about a minute of the echo loop. Measured fresh, bare Socket.IO
 * would scavenge twice as often for half as long as it does once it has run
 * for a while, which at a fixed rate shows in the p99. The app ships with the
 * flag in its start command (`npm run start:prod`, the Dockerfile), so it is
 * measured with it. The plain Nest gateway does not get it: its boot takes it
 * to 16 MB anyway, and with the flag V8 kept about 2 MB of its objects alive
 * through every scavenge (see "How the harness works" in docs/benchmarks.md).
 */
export const GROWN_YOUNG_GENERATION = ['--min-semi-space-size=16'];

export const VARIANTS = [
  {
    id: 'ws',
    label: 'bare ws (floor)',
    script: script('ws-echo.mjs'),
    raw: true,
    redis: false,
    env: common,
    loadNodeArgs: GROWN_YOUNG_GENERATION,
  },
  {
    id: 'socketio',
    label: 'bare Socket.IO 4.8',
    script: script('socketio.mjs'),
    raw: false,
    redis: true,
    env: common,
    loadNodeArgs: GROWN_YOUNG_GENERATION,
  },
  { id: 'nest', label: 'plain Nest gateway', script: script('nest-plain.mjs'), raw: false, redis: true, env: common },
  {
    id: 'app',
    label: 'this app (full pipeline)',
    script: script('nest-app.mjs'),
    raw: false,
    redis: true,
    // Has the app's real events (presence, typing, history...): the events scenario runs it beside bare Socket.IO.
    events: true,
    loadNodeArgs: GROWN_YOUNG_GENERATION,
    env: {
      ...common,
      LOG_LEVEL: 'log',
      WS_RATE_LIMIT_PER_SEC: String(APP_RATE_LIMIT),
      WS_RATE_LIMIT_BURST: String(APP_RATE_LIMIT),
      WS_SHUTDOWN_GRACE_MS: '0',
      BENCH_APP_DIST: APP_DIST,
    },
  },
];

export const BASELINE = 'socketio';

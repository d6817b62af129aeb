// A load-generator process of the scale runs (bench/scale.mjs forks several):
// it holds up to about 19,000 idle authenticated sockets (the machine's
// 20,000 open files per process), each a WireClient, and does what the parent
// asks over the IPC channel:
//
//   open    { group, port, prefix, from, count, concurrency, timeoutMs }
//           opens `count` sockets of the users <prefix><from> ... at a bounded
//           concurrency; resolves with the handshakes' latency and the failures
//           by reason. A run of consecutive failures (a resource ran out) stops it early.
//   storm   { group, port, timeoutMs, graceMs }
//           arms the group's sockets to move as the app's client does: on
//           `server:shutdown { reconnectAfterMs }` each waits that long, drops its
//           connection and connects to `port`; a told client whose connection the
//           server drops first still waits for its delay (as src/client does), one
//           never told reconnects after 0.5 to 1.5 s (socket.io-client's first delay);
//           a refused or timed-out connect is tried again with socket.io-client's backoff.
//           How long each user had no socket (from dropping the old connection to the
//           new one's `40`) is kept, and how many were away longer than `graceMs`.
//   stormStatus { group }   how far the move is, with the handshakes' latency
//   status  {}             sockets open and those the server closed, by group
//   close   { group }      drops the group's sockets
//
// Replies carry the request's id; `progress` messages (no id) report a ramp.
// The process exits when the parent goes away.
//
// Source addresses and ports. Every connection leaves from an address and
// port this generator picks itself: generator k (argv[2]) uses 127.<k>.0.1,
// 127.<k>.0.2, ... (lo holds all of 127.0.0.0/8), each for the ports
// 10000-29999 in turn, and never the same pair twice, so no pair is ever in
// TIME_WAIT or taken, whatever the destination. The port is given
// (`localPort`) rather than left to the kernel: a socket bound to an address
// with port 0 makes Linux search that address's ports for a free one, and
// that search cost 1.5 to 4 ms of kernel time per connect once an address
// held about 7,000 sockets (measured on Linux 6.18: 110 µs with the port
// given), which made the generators, not the servers, the bottleneck of a
// ramp. Below the ephemeral range (32768-60999), so no listening port of the
// run's servers is in it; a port some other process listens on for every
// address is skipped.
import { readFileSync } from 'node:fs';
import { encode, histogram, summary } from '../hist.mjs';
import { tokenFor } from '../tokens.mjs';
import { WireClient } from '../wire.mjs';

/** Consecutive failed connects after which a ramp stops: something ran out, more attempts only add noise. */
const GIVE_UP_AFTER = 200;
const SHUTDOWN = Buffer.from('"server:shutdown"');

/** group -> { entries, lost, storm } */
const groups = new Map();

const FIRST_PORT = 10_000;
const END_PORT = 30_000;
const GENERATOR = Number(process.argv[2] ?? 1);
if (!Number.isInteger(GENERATOR) || GENERATOR < 1 || GENERATOR > 254)
  throw new Error(`generator: a number 1 to 254, not ${process.argv[2]}`);
/** Ports some process listens on for every address (0.0.0.0 or ::): binding them from 127.x.y.z fails. */
const WILDCARD = wildcardListeners();
let sourceIndex = 0;
let nextPort = FIRST_PORT;
/** Addresses used so far, for the report. */
let sources = 1;

/** The next source address and port, never one used before by this generator. */
function nextSource() {
  while (WILDCARD.has(nextPort)) nextPort++;
  if (nextPort >= END_PORT) {
    sourceIndex++;
    sources++;
    nextPort = FIRST_PORT;
    while (WILDCARD.has(nextPort)) nextPort++;
  }
  if (sourceIndex >= 250 * 250) throw new Error('generator: out of source addresses');
  return { localAddress: `127.${GENERATOR}.${Math.floor(sourceIndex / 250)}.${1 + (sourceIndex % 250)}`, localPort: nextPort++ };
}

function wildcardListeners() {
  const ports = new Set();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || !local) continue;
      const [address, port] = local.split(':');
      if (/^0+$/.test(address)) ports.add(parseInt(port, 16));
    }
  }
  return ports;
}

/**
 * Connects `entry`'s new client to `port` from a fresh source; a source port that turns out to be
 * taken (EADDRINUSE: someone bound it for every address since the generator started) is skipped.
 */
async function connectFresh(group, entry, port, timeoutMs) {
  for (let attempt = 0; ; attempt++) {
    entry.client = makeClient(group, entry, port, nextSource());
    try {
      return await entry.client.connect(timeoutMs);
    } catch (error) {
      entry.client.close();
      if (error.code !== 'EADDRINUSE' || attempt >= 20) throw error;
    }
  }
}

process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  handle(message).then(
    (result) => process.send?.({ id: message.id, ok: true, result }),
    (error) => process.send?.({ id: message.id, ok: false, error: error.stack ?? String(error) }),
  );
});

async function handle(message) {
  switch (message.cmd) {
    case 'open':
      return open(message);
    case 'storm':
      return arm(message);
    case 'stormStatus':
      return stormStatus(groupOf(message.group));
    case 'status':
      return {
        sources,
        groups: Object.fromEntries(
          [...groups].map(([name, group]) => [name, { open: group.entries.filter((e) => e.client.connected).length, lost: group.lost }]),
        ),
      };
    case 'close': {
      const group = groups.get(message.group);
      if (!group) return { closed: 0 };
      group.closing = true;
      for (const entry of group.entries) {
        clearTimeout(entry.timer);
        entry.client.close();
      }
      groups.delete(message.group);
      return { closed: group.entries.length };
    }
    default:
      throw new Error(`generator: unknown command ${message.cmd}`);
  }
}

function groupOf(name) {
  const group = groups.get(name);
  if (!group) throw new Error(`generator: no group ${name}`);
  return group;
}

/** Why a connect failed, short enough to count by: a refusal code, an errno, or the message. */
function reason(error) {
  return error.code ?? error.message.slice(0, 80);
}

async function open({ group: name, port, prefix, from, count, concurrency, timeoutMs }) {
  let group = groups.get(name);
  if (!group) groups.set(name, (group = { entries: [], lost: 0, storm: undefined, closing: false }));
  const latency = histogram();
  const failures = {};
  const samples = [];
  let failed = 0;
  let consecutive = 0;
  let stoppedEarly = false;
  let next = 0;
  const started = performance.now();
  const progress = setInterval(() => process.send?.({ type: 'progress', group: name, opened: next - failed, failed }), 1000);
  const worker = async () => {
    while (next < count && !stoppedEarly) {
      const i = next++;
      const entry = { userId: `${prefix}${from + i}`, client: undefined, timer: undefined };
      const at = performance.now();
      try {
        await connectFresh(group, entry, port, timeoutMs);
        latency.recordValue(Math.max(1, Math.round((performance.now() - at) * 1000)));
        group.entries.push(entry);
        consecutive = 0;
      } catch (error) {
        failed++;
        const why = reason(error);
        failures[why] = (failures[why] ?? 0) + 1;
        const { localAddress, localPort } = entry.client;
        if (samples.length < 5) samples.push(`${entry.userId} from ${localAddress}:${localPort}: ${error.message}`);
        if (++consecutive >= GIVE_UP_AFTER) stoppedEarly = true;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } finally {
    clearInterval(progress);
  }
  const ms = performance.now() - started;
  const opened = next - failed;
  return {
    opened,
    failed,
    attempted: next,
    stoppedEarly,
    failures,
    samples,
    ms: Math.round(ms),
    rate: Math.round((opened * 1000) / ms),
    latency: summary(latency),
    latencyHist: encode(latency),
  };
}

function makeClient(group, entry, port, { localAddress, localPort }) {
  return new WireClient({
    port,
    token: tokenFor(entry.userId),
    localAddress,
    localPort,
    onEvent: (data) => {
      if (group.storm && data.indexOf(SHUTDOWN) !== -1) onShutdown(group, entry, data);
    },
    onClose: () => onLost(group, entry),
  });
}

function arm({ group: name, port, timeoutMs, graceMs }) {
  const group = groupOf(name);
  group.storm = {
    port,
    timeoutMs,
    graceMs,
    awayOverGrace: 0,
    away: histogram(),
    shutdownSeen: 0,
    lostBeforeMove: 0,
    droppedAfterMove: 0,
    moved: 0,
    attempts: 0,
    failedAttempts: 0,
    failures: {},
    samples: [],
    firstShutdownAt: undefined,
    lastShutdownAt: undefined,
    firstMoveAt: undefined,
    lastMoveAt: undefined,
    latency: histogram(),
  };
  for (const entry of group.entries) entry.state = 'waiting';
  return { armed: group.entries.length };
}

function onShutdown(group, entry, data) {
  const storm = group.storm;
  if (entry.state !== 'waiting') return;
  entry.state = 'told';
  storm.shutdownSeen++;
  const now = Date.now();
  storm.firstShutdownAt ??= now;
  storm.lastShutdownAt = now;
  const delay = Number(/"reconnectAfterMs":(\d+)/.exec(data.toString())?.[1] ?? 0);
  entry.timer = setTimeout(() => move(group, entry, 0), delay);
}

function onLost(group, entry) {
  if (group.closing) return;
  const storm = group.storm;
  if (!storm) {
    group.lost++;
    return;
  }
  if (entry.state === 'moved') {
    // The new connection dropped: come back as a client would.
    storm.droppedAfterMove++;
    storm.moved--;
    entry.state = 'told';
  } else if (entry.state === 'waiting' || entry.state === 'told') {
    // The draining node closed it before the client moved (its grace ran out, or it exited).
    storm.lostBeforeMove++;
    entry.leftAt ??= performance.now();
    // Told to come back after a delay that outlasts the node: the app's client keeps to it.
    if (entry.state === 'told') return;
  } else return;
  entry.state = 'told';
  entry.timer = setTimeout(() => move(group, entry, 0), 500 + Math.random() * 1000);
}

/** Drops the old connection and connects to the storm's port; tries again with socket.io-client's backoff. */
async function move(group, entry, attempt) {
  const storm = group.storm;
  if (group.closing || entry.state === 'moving' || entry.state === 'moved') return;
  entry.state = 'moving';
  entry.client.close();
  entry.leftAt ??= performance.now();
  storm.attempts++;
  const at = performance.now();
  try {
    await connectFresh(group, entry, storm.port, storm.timeoutMs);
    if (group.closing) return entry.client.close();
    const now = performance.now();
    storm.latency.recordValue(Math.max(1, Math.round((now - at) * 1000)));
    storm.away.recordValue(Math.max(1, Math.round((now - entry.leftAt) * 1000)));
    if (now - entry.leftAt > storm.graceMs) storm.awayOverGrace++;
    entry.leftAt = undefined;
    entry.state = 'moved';
    storm.moved++;
    storm.firstMoveAt ??= Date.now();
    storm.lastMoveAt = Date.now();
  } catch (error) {
    storm.failedAttempts++;
    const why = reason(error);
    storm.failures[why] = (storm.failures[why] ?? 0) + 1;
    if (storm.samples.length < 5) storm.samples.push(`${entry.userId}: ${error.message}`);
    entry.state = 'told';
    // socket.io-client: 1 s doubling up to 5 s, each randomised by +-50 %.
    const base = Math.min(5000, 1000 * 2 ** attempt);
    entry.timer = setTimeout(() => move(group, entry, attempt + 1), base * (0.5 + Math.random()));
  }
}

function stormStatus(group) {
  const storm = group.storm;
  if (!storm) throw new Error('generator: the group is not armed for a storm');
  const { latency, away, ...counts } = storm;
  return { total: group.entries.length, ...counts, latency: summary(latency), latencyHist: encode(latency), awayHist: encode(away) };
}

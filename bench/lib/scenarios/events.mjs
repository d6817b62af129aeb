// The app's real events through its full pipeline, each beside a bare
// Socket.IO handler doing the same visible work (bench/servers/socketio.mjs
// with BENCH_EVENTS=1), in the same run and the same way as the paired echo:
// both servers side by side on the server core, driven in alternating slices
// of the closed loop (throughput, CPU per message) and then of a fixed rate
// (p99 from each request's due time). The clients are paired: clients 2k and
// 2k+1 are users `ev-2k` and `ev-2k+1`, both in the rooms `t-k`, `s-k`, `i-k`
// and `h-k`, and each sends into its own pair's rooms, so every push reaches
// the other member. Events, one after the other, each with its own warm-up:
//
//   presence:query  the user's own id and its partner's (both online)
//   chat:typing     in `t-k`; the partner gets `chat:typing` (volatile in both)
//   chat:send       in `s-k`; the partner gets `chat:message`
//   chat:send       in `i-k` with a fresh `clientMsgId` each time (the
//                   idempotency path: the id is looked up and recorded)
//   chat:history    of `h-k`, seeded with HISTORY_SEED messages on both sides
//
// Before anything is measured each side answers one of each and the replies
// must have the same shape on both (a repeated `clientMsgId` answered with
// the first message and pushed once, the history as long as the seed, a send
// to a room not joined refused). A reply with `"ok":false` counts as failed;
// more than MAX_FAILED of them, or of missing pushes, fails the scenario, so
// a wrong body cannot pass for a fast one.
import { measured, until } from '../measure.mjs';
import { tokenFor } from '../tokens.mjs';
import { openMany, WireClient } from '../wire.mjs';
import { TEXT } from './echo.mjs';
import { fixedSlices, slices } from './paired.mjs';

/** Messages each history room holds, on both sides, before `chat:history` is measured. */
export const HISTORY_SEED = 20;
/** Error replies, lost requests or missing pushes a measurement tolerates before the scenario fails. */
const MAX_FAILED = 5;

const user = (i) => `ev-${i}`;
const partner = (i) => i ^ 1;
const room = (prefix, i) => `${prefix}-${i >> 1}`;
const ROOM_PREFIXES = ['t', 's', 'i', 'h'];

/** Every client's request of one event: the same body each time. */
const constant = (event, body) => (count) => {
  const list = Array.from({ length: count }, (_, i) => Object.freeze({ event, body: JSON.stringify(body(i)) }));
  return (i) => list[i];
};

/** A new `clientMsgId` for every send, over the whole run. */
let clientMsgSeq = 0;

/**
 * The events measured, in order. `request(count)` makes the request maker of
 * `count` clients (see `echoRequest`); `push` is the event each successful
 * request sends the partner; `volatile` pushes may be dropped under load (in
 * the app and in bare Socket.IO alike).
 */
export const EVENT_CASES = [
  {
    id: 'query',
    event: 'presence:query',
    label: 'presence:query of 2 users',
    request: constant('presence:query', (i) => ({ userIds: [user(i), user(partner(i))] })),
  },
  {
    id: 'typing',
    event: 'chat:typing',
    label: 'chat:typing in a 2-member room',
    push: 'chat:typing',
    volatile: true,
    request: constant('chat:typing', (i) => ({ roomId: room('t', i), typing: true })),
  },
  {
    id: 'send',
    event: 'chat:send',
    label: 'chat:send in a 2-member room',
    push: 'chat:message',
    request: constant('chat:send', (i) => ({ roomId: room('s', i), text: TEXT })),
  },
  {
    id: 'sendIdempotent',
    event: 'chat:send',
    label: 'chat:send with a clientMsgId in a 2-member room',
    push: 'chat:message',
    request: (count) => {
      const heads = Array.from(
        { length: count },
        (_, i) => `${JSON.stringify({ roomId: room('i', i), text: TEXT }).slice(0, -1)},"clientMsgId":"m`,
      );
      return (i) => ({ event: 'chat:send', body: `${heads[i]}${++clientMsgSeq}"}` });
    },
  },
  {
    id: 'history',
    event: 'chat:history',
    label: `chat:history of a room of ${HISTORY_SEED} messages`,
    request: constant('chat:history', (i) => ({ roomId: room('h', i) })),
  },
];

const PUSHES = ['chat:message', 'chat:typing'].map((event) => ({ event, prefix: Buffer.from(`42["${event}",`) }));

export async function runEvents({ base, other, baseVariant, variant, options, quiet, round }) {
  // Clients in pairs: an even number.
  const count = Math.max(2, options.echoClients - (options.echoClients % 2));
  const sides = [];
  try {
    for (const [server, v] of [
      [base, baseVariant],
      [other, variant],
    ]) {
      await addSide(sides, server, { count, raw: v.raw, label: v.id });
    }
    const checks = [];
    for (const side of sides) {
      await prepare(side);
      checks.push(await check(side));
    }
    for (const c of EVENT_CASES) {
      const [a, b] = checks.map((found) => found[c.id]);
      if (a !== b) throw new Error(`events: ${c.event} answers differ in shape: ${sides[0].label} ${a}, ${sides[1].label} ${b}`);
    }
    const events = {};
    for (const c of EVENT_CASES) events[c.id] = await measureEvent(sides, c, { options, quiet, round });
    return { clients: count, historySeed: HISTORY_SEED, shapes: checks[0], events };
  } finally {
    for (const side of sides) for (const client of side.clients) client.close();
  }
}

/**
 * Connects `count` clients to `server`, each counting the pushes it receives
 * into the side's `pushes`, and adds the side to `sides` before it fails when
 * any could not connect, so that the caller's cleanup closes the ones that did.
 */
async function addSide(sides, server, { count, raw, label }) {
  const pushes = Object.fromEntries(PUSHES.map((p) => [p.event, 0]));
  const onEvent = (data) => {
    for (const p of PUSHES) {
      if (data.length > p.prefix.length && data.compare(p.prefix, 0, p.prefix.length, 0, p.prefix.length) === 0) {
        pushes[p.event]++;
        return;
      }
    }
  };
  const { clients, failures } = await openMany(
    count,
    50,
    (i) => new WireClient({ port: server.port, token: tokenFor(user(i)), raw, onEvent }),
  );
  sides.push({ server, clients, pushes, label });
  if (failures.length > 0) throw new Error(`events: ${label}: ${failures.length} clients could not connect: ${failures[0].error.message}`);
}

/** The `data` of an ack frame (`43<id>[{"ok":true,"data":...}]`). */
function dataOf(frame) {
  const text = frame.toString();
  return JSON.parse(text.slice(text.indexOf('[')))[0].data;
}

/** Every client joins its pair's rooms; each pair's history room gets HISTORY_SEED messages, the members taking turns. */
async function prepare(side) {
  const { clients } = side;
  await Promise.all(
    clients.map((client, i) => Promise.all(ROOM_PREFIXES.map((prefix) => client.call('chat:join', { roomId: room(prefix, i) })))),
  );
  await Promise.all(
    clients.map(async (_, i) => {
      if (i % 2 === 1) return;
      for (let n = 0; n < HISTORY_SEED; n++) await clients[i + (n % 2)].call('chat:send', { roomId: room('h', i), text: `${TEXT} #${n}` });
    }),
  );
}

/** The shape of a reply's data: its keys and value types, arrays with their length and their first item's shape. */
function shape(value) {
  if (Array.isArray(value)) return `[${value.length}${value.length > 0 ? ` x ${shape(value[0])}` : ''}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${key}: ${shape(value[key])}`)
      .join(', ')}}`;
  return value === null ? 'null' : typeof value;
}

/**
 * One of each event from the side's first pair, checked for what the app
 * answers; the shapes of the answers, which must be the same on both sides.
 */
async function check(side) {
  const [a] = side.clients;
  const fail = (what) => {
    throw new Error(`events: ${side.label}: ${what}`);
  };
  const pushed = async (event, before, what) => {
    if (!(await until(() => side.pushes[event] > before, 2000))) fail(`${what}: the other member got no ${event}`);
  };
  const shapes = {};

  const query = dataOf(await a.call('presence:query', { userIds: [user(0), user(1)] }));
  const entries = query?.presence ?? [];
  if (entries.length !== 2 || entries.some((entry, n) => entry.userId !== user(n) || entry.status !== 'online'))
    fail(`presence:query answered ${JSON.stringify(query)}`);
  shapes.query = shape(query);

  let before = side.pushes['chat:typing'];
  const typing = dataOf(await a.call('chat:typing', { roomId: room('t', 0), typing: true }));
  if (JSON.stringify(typing) !== '{}') fail(`chat:typing answered ${JSON.stringify(typing)}`);
  await pushed('chat:typing', before, 'chat:typing');
  shapes.typing = shape(typing);

  before = side.pushes['chat:message'];
  const sent = dataOf(await a.call('chat:send', { roomId: room('s', 0), text: TEXT }));
  if (sent?.text !== TEXT || sent.roomId !== room('s', 0) || sent.userId !== user(0) || typeof sent.id !== 'string')
    fail(`chat:send answered ${JSON.stringify(sent)}`);
  await pushed('chat:message', before, 'chat:send');
  shapes.send = shape(sent);

  before = side.pushes['chat:message'];
  const retried = { roomId: room('i', 0), text: TEXT, clientMsgId: `check-${side.label}` };
  const first = dataOf(await a.call('chat:send', retried));
  await pushed('chat:message', before, 'chat:send with a clientMsgId');
  const again = dataOf(await a.call('chat:send', retried));
  if (first?.clientMsgId !== retried.clientMsgId || again?.id !== first.id)
    fail(`a repeated clientMsgId was answered ${JSON.stringify(again)} after ${JSON.stringify(first)}`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  if (side.pushes['chat:message'] !== before + 1) fail(`a repeated clientMsgId was pushed ${side.pushes['chat:message'] - before} times`);
  shapes.sendIdempotent = shape(first);

  const history = dataOf(await a.call('chat:history', { roomId: room('h', 0) }));
  const messages = history?.messages ?? [];
  if (messages.length !== HISTORY_SEED || history.hasMore !== false || messages[0].text !== `${TEXT} #0`)
    fail(`chat:history answered ${messages.length} messages (hasMore ${history?.hasMore}), the first ${JSON.stringify(messages[0])}`);
  shapes.history = shape(history);

  // What the generator counts as failed: a refusal (here, a send to a room not joined) is not an ok.
  const refused = await new Promise((resolve) => a.request('chat:send', JSON.stringify({ roomId: 'not-joined', text: TEXT }), resolve));
  if (refused) fail('a chat:send to a room the socket has not joined was answered ok');
  return shapes;
}

/** One event: the closed loop, then the fixed rate, in alternating slices, each after its warm-up. */
async function measureEvent(sides, c, { options, quiet, round }) {
  const request = c.request(sides[0].clients.length);
  const run = (fn) => () => counted(sides, c, fn);
  await run(() => slices(sides, options.warmupMs * 2, 0, request))();
  // Odd rounds start with the other variant, so neither is always first.
  const closed = await measured(
    quiet,
    run(() => slices(sides, options.echoMs * 2, round % 2, request)),
    options,
  );
  await run(() => fixedSlices(sides, options.fixedRate, options.warmupMs * 2, 0, request))();
  const fixed = await measured(
    quiet,
    run(() => fixedSlices(sides, options.fixedRate, options.fixedMs * 2, round % 2, request)),
    options,
  );
  return { closed, fixed };
}

/**
 * Runs `measure` (a pair's `slices` or `fixedSlices`), then waits for the
 * pushes of its requests, adds `pushes: { expected, delivered }` to each
 * side's figures, and fails on more than MAX_FAILED error replies, lost
 * requests or missing pushes (a volatile push may be dropped: only none at
 * all fails).
 */
async function counted(sides, c, measure) {
  const before = sides.map((side) => (c.push ? side.pushes[c.push] : 0));
  const result = await measure();
  const figures = [result.base, result.self];
  // Every request answered ok sends its push to the other member of the room.
  const ok = figures.map((f) => f.completed ?? f.answered - f.failed);
  const delivered = () => sides.map((side, n) => side.pushes[c.push] - before[n]);
  if (c.push) await until(() => delivered().every((d, n) => d >= ok[n]), c.volatile ? 250 : 2000);
  const got = c.push ? delivered() : [];
  figures.forEach((f, n) => {
    const { label } = sides[n];
    if (c.push) f.pushes = { expected: ok[n], delivered: got[n] };
    if (f.failed > MAX_FAILED) {
      const example = sides[n].clients.find((client) => client.lastError)?.lastError;
      throw new Error(`events: ${c.event}: ${label} answered ${f.failed} requests with an error, e.g. ${String(example).slice(0, 300)}`);
    }
    if (f.lost > MAX_FAILED) throw new Error(`events: ${c.event}: ${label} left ${f.lost} requests unanswered`);
    if (c.push && !c.volatile && ok[n] - got[n] > MAX_FAILED)
      throw new Error(`events: ${c.event}: ${label} delivered ${got[n]} of ${ok[n]} ${c.push} pushes`);
    if (c.push && ok[n] > 0 && got[n] === 0) throw new Error(`events: ${c.event}: ${label} delivered none of ${ok[n]} ${c.push} pushes`);
  });
  return result;
}

import fc from 'fast-check';
import type { TestApp } from '../support/app.js';
import { closeAll, connectRaw, type RawClient } from '../support/raw-client.js';
import { EVENTS } from './events.js';
import { startAppWith } from './hostile-app.js';

/** Runs per event: a few hundred in `npm test`, more with FUZZ_RUNS (the soak sets it). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
/** Codes a handler may answer a malformed or unlucky body with; INTERNAL never. */
const ANSWERS = new Set(['BAD_REQUEST', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHORIZED']);

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
/** Strings a client could send: any code point, lone surrogates, and the characters identifiers trip on. */
const anyString = fc.string({
  unit: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    loneSurrogate,
    fc.constantFrom(':', '/', '.', '*', '@', '\u0000', '\u200b', ' '),
  ),
  maxLength: 80,
});
const roomId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/), anyString, fc.constant('lobby'));
const userId = fc.oneof(fc.string({ minLength: 1, maxLength: 130 }), anyString);
const messageId = fc.oneof(
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `${a}-${b}`),
  anyString,
);
const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'userId', 'roomId', 'hasOwnProperty');
/** Any JSON, nested past the depth bound now and then, with keys that tempt prototype pollution. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  fc.dictionary(hostileKey, fc.jsonValue({ maxDepth: 3 })),
  fc.integer({ min: 30, max: 40 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))),
);

/** Near-valid bodies: each field valid, wrong, or missing, plus stray fields. */
const bodies: Record<string, fc.Arbitrary<unknown>> = {
  'chat:join': fc.record({ roomId: fc.oneof(roomId, anyJson) }, { requiredKeys: [] }),
  'chat:leave': fc.record({ roomId: fc.oneof(roomId, anyJson) }, { requiredKeys: [] }),
  'chat:send': fc.record(
    {
      roomId: fc.oneof(roomId, anyJson),
      text: fc.oneof(anyString, fc.string({ minLength: 3990, maxLength: 4010 }), anyJson),
      clientMsgId: fc.oneof(fc.string({ maxLength: 70 }), anyJson),
      userId: fc.string(),
    },
    { requiredKeys: [] },
  ),
  'chat:typing': fc.record({ roomId: fc.oneof(roomId, anyJson), typing: fc.oneof(fc.boolean(), anyJson) }, { requiredKeys: [] }),
  'chat:history': fc.record(
    {
      roomId: fc.oneof(roomId, anyJson),
      before: fc.oneof(messageId, anyJson),
      after: fc.oneof(messageId, anyJson),
      limit: fc.oneof(fc.integer({ min: -5, max: 120 }), fc.double(), anyJson),
    },
    { requiredKeys: [] },
  ),
  'presence:subscribe': fc.record({ userIds: fc.oneof(fc.array(userId, { maxLength: 110 }), anyJson) }, { requiredKeys: [] }),
  'presence:unsubscribe': fc.record({ userIds: fc.oneof(fc.array(userId, { maxLength: 110 }), anyJson) }, { requiredKeys: [] }),
  'presence:query': fc.record({ userIds: fc.oneof(fc.array(userId, { maxLength: 110 }), anyJson) }, { requiredKeys: [] }),
  'presence:set': fc.record(
    { status: fc.oneof(fc.constantFrom('online', 'away', 'busy', 'offline', 'ONLINE'), anyJson) },
    { requiredKeys: [] },
  ),
  'auth:refresh': fc.record(
    { token: fc.oneof(anyString, fc.string({ maxLength: 9000 }), fc.constant('a.b.c'), anyJson) },
    { requiredKeys: [] },
  ),
};

/**
 * Property-based fuzzing of every handler's body: whatever the body, one
 * envelope comes back, never INTERNAL and never silence, and the connection
 * and its neighbours carry on.
 */
describe('fuzzing every handler body', () => {
  let t: TestApp;
  let client: RawClient;
  let bystander: RawClient;

  beforeAll(async () => {
    t = await startAppWith({}, { WS_RATE_LIMIT_PER_SEC: '100000', WS_RATE_LIMIT_BURST: '100000' });
    client = (await connectRaw(t.url, { token: t.token('fuzzer', { rooms: ['*'] }) })).quiet();
    bystander = (await connectRaw(t.url, { token: t.token('bystander', { rooms: ['lobby'] }) })).quiet();
    expect((await bystander.request('chat:join', { roomId: 'lobby' })).ok).toBe(true);
  });

  afterAll(async () => {
    await closeAll([client, bystander]);
    await t.close();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it('covers every event the app serves', () => {
    expect(Object.keys(bodies).sort()).toEqual(EVENTS.map(([event]) => event).sort());
  });

  it.each(EVENTS.map(([event]) => event))('%s: every body gets one envelope, never INTERNAL', async (event) => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(bodies[event]!, anyJson), async (body) => {
        const reply = await client.request(event, body, 3000);
        const outcome = reply.ok ? 'OK' : reply.error.code;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (reply.ok) return;
        expect(ANSWERS.has(reply.error.code)).toBe(true);
        expect(reply.error.message).not.toMatch(/at \w+ \(|Error:/);
      }),
      { numRuns: RUNS },
    );
    expect(client.isOpen).toBe(true);
    expect((await bystander.request('presence:query', { userIds: ['fuzzer'] })).ok).toBe(true);
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(RUNS);
  });
});

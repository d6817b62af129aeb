import type { Socket } from 'socket.io-client';
import type { ChatMessage } from '../../src/modules/chat/index.js';
import { isTenant, scopedKeyOf } from '../../src/core/websocket/internal.js';
import { PresenceStore, type PresenceEntry } from '../../src/modules/presence/index.js';
import { signTestToken } from '../../src/testing/index.js';
import { openClient, ready, signToken, type TestApp } from '../support/app.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { eventually, request, settle } from '../support/events.js';

const KEY = 'a-publish-api-key-of-at-least-32-characters';
const ENV = {
  JWT_TENANT_CLAIM: 'tenant',
  PUBLISH_API_KEY: KEY,
  // Every attempt must be processed, not turned away for its rate: the probe counts RATE_LIMITED replies and expects none.
  WS_RATE_LIMIT_PER_SEC: '10000',
  WS_RATE_LIMIT_BURST: '10000',
};

/** Room ids an attacker of another tenant may try: acme's own, with its tenant spelled in, separators, other kinds of room, look-alikes. */
const ROOM_IDS = [
  'general',
  'ops',
  'GENERAL',
  'acme/general',
  '../acme/general',
  'acme/../general',
  'chat:acme/general',
  'chat:general',
  'acme%2Fgeneral',
  'acme\\general',
  'acme.general',
  'acme:general',
  'acme@general',
  'acme',
  'ACME',
  '..',
  '.',
  '/general',
  'general/',
  'user:acme/ann',
  'presence:acme/ann',
  'g\u0435neral',
  '\uff47\uff45\uff4e\uff45\uff52\uff41\uff4c',
  'general\u200b',
  'general\u0000',
  'general ',
  'general,ops',
  'x'.repeat(64),
  'x'.repeat(65),
  'general'.repeat(1000),
  '*',
  '%2A',
  '',
];

/** User ids an attacker may watch or query: acme's users by their plain ids, with the tenant spelled in, separators, look-alikes. */
const USER_IDS = [
  'ann',
  'bob',
  'admin',
  'mallory',
  'acme/ann',
  'acme/bob',
  'acme/admin',
  '../ann',
  '../acme/ann',
  'acme/../ann',
  'globex/../acme/ann',
  '/ann',
  'ann/',
  'acme/',
  'ACME/ann',
  'acme%2Fann',
  'acme:ann',
  'user:acme/ann',
  'presence:acme/ann',
  '\u0430nn',
  '\uff41\uff4e\uff4e',
  'ann\u200b',
  'ann ',
  'ANN',
  '*',
  'x'.repeat(128),
  'x'.repeat(129),
  '',
];

/** acme's spies' own messages: who sends, where, what, with which clientMsgId (the attacker replays every one). */
const SPY_SENDS: ReadonlyArray<readonly [spy: string, roomId: string, text: string, clientMsgId: string]> = [
  ['acme:ann@1', 'general', 'acme-secret 1 from ann @bob', 'c-ann-1'],
  ['acme:ann@2', 'ops', 'acme-secret 2 from ann @admin', 'c-ann-2'],
  ['acme:bob@2', 'general', 'acme-secret 3 from bob @ann', 'c-bob-1'],
  ['acme:admin@1', 'ops', 'acme-secret 4 from admin', '1'],
  ['acme:admin@2', 'general', 'acme-secret 5 from admin @ann @bob', 'retry-1'],
];

/** The presence statuses acme's spies choose before the attack. */
const ACME_SETS = [
  ['acme:ann@1', 'busy'],
  ['acme:bob@2', 'away'],
] as const;

/** Every refusal an attempt may get, unless it says otherwise. */
const REFUSALS = ['BAD_REQUEST', 'FORBIDDEN', 'UNAUTHORIZED', 'RATE_LIMITED'];
const NEVER_SEEN = (userId: string): PresenceEntry => ({ userId, status: 'offline', lastSeenAt: null });

interface Member {
  label: string;
  tenant: string;
  userId: string;
  node: number;
  socket: Socket;
  /** Every event the socket received, as `onAny` gave it. */
  seen: Array<{ event: string; args: unknown[] }>;
}

/** An attempt's result; `reply` is the whole answer, as it came (envelope, HTTP body or handshake refusal). */
type Outcome = ({ ok: true; data: any } | { ok: false; code: string; data?: unknown }) & { reply?: unknown };

interface Attempt {
  kind: string;
  what: string;
  run(): Promise<Outcome>;
  /** The refusals this attempt may get (default REFUSALS). */
  refusals?: readonly string[];
  /** When a success is acceptable: checks its data and returns what is wrong with it. Without it, a success is a violation. */
  okIf?: (data: any) => string | undefined;
}

const describeValue = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/**
 * Deep equality of JSON values, whatever realm made them: Jest runs the test in
 * a VM context, and `fetch` answers with objects of Node's own realm, which
 * `util.isDeepStrictEqual` tells apart by their prototype.
 */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
}

/** The base64url part of a hand-made token. */
const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * An authorization probe across tenants, on two nodes through Redis. Tenant
 * `acme` has spy sockets (ann, bob, admin on both nodes) in rooms `general`
 * and `ops`, watching each other's presence, recording every event they get.
 * An attacker of tenant `globex` (the same user ids, every room granted)
 * and of near-miss tenants (`ACME`, `acme.`, ...) makes some 2,800 attempts:
 * crafted handshakes and refresh tokens, every chat event with every crafted
 * room id, replays of the spies' clientMsgIds, mentions, every presence event
 * with every crafted user id, and publish API calls.
 * Every reply is a refusal or describes the attacker's own tenant only; the
 * spies get nothing but what they made themselves (fenced), and acme's
 * history, presence and idempotency are as acme left them.
 */
describe('authorization probes across tenants, on two nodes through Redis', () => {
  let cluster: TestCluster;
  let nodes: [TestApp, TestApp];
  const spies: Member[] = [];
  const attackers: Member[] = [];
  /** Sockets of handshakes meant to be refused, closed at the end whatever happened. */
  const strays: Socket[] = [];
  /** The spies' messages, in the order they were sent. */
  const spyMessages: ChatMessage[] = [];
  /** The acme presence entries the spies set, as their replies gave them. */
  const acmeEntries: PresenceEntry[] = [];
  /** How many events each spy had when the attack began. */
  const cutoff = new Map<Member, number>();
  let attackStart = 0;

  const spy = (label: string): Member => spies.find((member) => member.label === label)!;

  const member = async (node: number, tenant: string, userId: string): Promise<Member> => {
    const socket = await nodes[node]!.connect(userId, { claims: { tenant, rooms: ['*'] } });
    const seen: Member['seen'] = [];
    socket.onAny((event: string, ...args: unknown[]) => seen.push({ event, args }));
    return { label: `${tenant}:${userId}@${node + 1}`, tenant, userId, node, socket, seen };
  };

  const received = (who: Member, event: string): unknown[] =>
    who.seen.filter((entry) => entry.event === event).map((entry) => entry.args[0]);

  beforeAll(async () => {
    cluster = await startCluster(2, ENV);
    nodes = cluster.nodes as [TestApp, TestApp];
    for (const userId of ['ann', 'bob', 'admin']) for (const node of [0, 1]) spies.push(await member(node, 'acme', userId));
    for (const { socket } of spies) {
      for (const roomId of ['general', 'ops'])
        expect(await request(socket, 'chat:join', { roomId })).toEqual({ ok: true, data: { roomId } });
    }
    // Everyone is online before anyone watches: no late online announcement can reach a spy during the attack.
    // Read from the store under the keys the ledger writes, so that broken scoping fails the probe, not this wait.
    const store = nodes[0].app.get(PresenceStore);
    await eventually(
      async () =>
        (await store.get(['ann', 'bob', 'admin'].map((id) => scopedKeyOf('acme', id)))).every((entry) => entry.status === 'online'),
      5000,
      'acme’s spies online',
    );
    for (const { socket } of spies) {
      expect(await request(socket, 'presence:subscribe', { userIds: ['ann', 'bob', 'admin'] })).toMatchObject({ ok: true });
    }
    for (const [label, roomId, text, clientMsgId] of SPY_SENDS) {
      const reply = await request(spy(label).socket, 'chat:send', { roomId, text, clientMsgId });
      expect(reply).toMatchObject({ ok: true, data: { roomId, text, clientMsgId } });
      spyMessages.push(reply.data);
    }
    for (const [label, status] of ACME_SETS) {
      const reply = await request(spy(label).socket, 'presence:set', { status });
      expect(reply).toMatchObject({ ok: true, data: { userId: spy(label).userId } });
      acmeEntries.push(reply.data);
    }
    // That each status took is checked at the end: broken scoping should be reported by the probe, not here.
    const announced = acmeEntries.filter((entry, index) => entry.status === ACME_SETS[index]![1]).length;
    // Each spy has what acme did: the other sockets' messages, its mentions, its presence changes.
    await eventually(
      () =>
        spies.every((who) => {
          const own = SPY_SENDS.filter(([label]) => label === who.label).length;
          const mentions = SPY_SENDS.filter(([, , text]) => text.includes(`@${who.userId}`)).length;
          return (
            received(who, 'chat:message').length === SPY_SENDS.length - own &&
            received(who, 'notification').length === mentions &&
            received(who, 'presence:update').length === announced
          );
        }),
      5000,
      'acme’s own traffic at every spy',
    );
    await Promise.all(spies.map((who) => settle(who.socket)));
    for (const who of spies) cutoff.set(who, who.seen.length);
    // Every acme presence entry was decided before this instant; every entry the attack makes, after it.
    await new Promise((resolve) => setTimeout(resolve, 5));
    attackStart = Date.now();
  }, 20_000);

  afterAll(async () => {
    for (const socket of strays) socket.disconnect();
    await cluster?.close();
  });

  it('refuses or confines to the attacker’s tenant every one of ~2,800 attempts; acme’s spies get nothing and acme’s state is intact', async () => {
    const violations: string[] = [];
    const tally = new Map<string, Map<string, number>>();
    const count = (kind: string, outcome: string) => {
      const outcomes = tally.get(kind) ?? new Map<string, number>();
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      tally.set(kind, outcomes);
    };
    const judge = (attempt: Attempt, outcome: Outcome) => {
      count(attempt.kind, outcome.ok ? 'OK' : outcome.code);
      const where = `${attempt.kind} ${attempt.what}`;
      // Not one word of acme's in any answer, error details included.
      if (JSON.stringify(outcome.reply ?? null).includes('acme-secret'))
        violations.push(`${where}: answered ${describeValue(outcome.reply)}`);
      if (outcome.ok) {
        if (!attempt.okIf) violations.push(`${where}: succeeded with ${describeValue(outcome.data)}`);
        else {
          const problem = attempt.okIf(outcome.data);
          if (problem) violations.push(`${where}: ${problem}`);
        }
      } else {
        if (!(attempt.refusals ?? REFUSALS).includes(outcome.code)) violations.push(`${where}: refused ${outcome.code}`);
        // A refusal carries no data (an error's details are under error, not data).
        if (outcome.data !== undefined) violations.push(`${where}: refused with data ${describeValue(outcome.data)}`);
      }
    };
    const attack = async (attempts: Attempt[]) => {
      for (let start = 0; start < attempts.length; start += 200) {
        const batch = attempts.slice(start, start + 200);
        const outcomes = await Promise.all(batch.map((attempt) => attempt.run()));
        outcomes.forEach((outcome, index) => judge(batch[index]!, outcome));
      }
    };
    const ask = (who: Member, event: string, body: unknown) => async (): Promise<Outcome> => {
      try {
        const reply = await request(who.socket, event, body);
        return reply.ok ? { ok: true, data: reply.data, reply } : { ok: false, code: reply.error.code, data: reply.data, reply };
      } catch {
        return { ok: false, code: 'NO_REPLY' };
      }
    };

    /** The users connected in each tenant of the attack: the only ones whose presence it may read as seen. */
    const known = new Map<string, Set<string>>();
    const fromAttack = (entry: PresenceEntry | undefined, tenant: string, userId: string): string | undefined => {
      if (!entry || entry.userId !== userId) return `an entry for ${describeValue(entry?.userId)} instead of ${describeValue(userId)}`;
      if (same(entry, NEVER_SEEN(userId))) return undefined;
      if (!known.get(tenant)?.has(userId)) return `${describeValue(entry)} for a user ${tenant} never had`;
      if (!['online', 'away', 'busy'].includes(entry.status) || entry.lastSeenAt === null || Date.parse(entry.lastSeenAt) < attackStart) {
        return `${describeValue(entry)}, not decided by ${tenant}`;
      }
      return undefined;
    };

    // --- Handshakes: crafted tenant claims, forged tokens, no tenant at all: UNAUTHORIZED. ---
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const forged: Array<[string, string]> = [
      ['alg none, tenant acme', `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'ann', tenant: 'acme', rooms: ['*'], exp })}.`],
      [
        'globex signature on an acme payload',
        (() => {
          const [header, , signature] = signToken('ann', { tenant: 'globex', rooms: ['*'] }).split('.');
          return `${header}.${part({ sub: 'ann', tenant: 'acme', rooms: ['*'], exp })}.${signature}`;
        })(),
      ],
      [
        'tenant acme, another secret',
        signTestToken('ann', { tenant: 'acme', rooms: ['*'] }, 'another-secret-that-is-long-enough-for-hs256'),
      ],
    ];
    const craftedTenants: unknown[] = [
      ['acme'],
      ['globex', 'acme'],
      { toString: 'acme' },
      { tenant: 'acme' },
      'acme/',
      'acme/ann',
      '../acme',
      'globex/../acme',
      'acme ',
      ' acme',
      'acme\n',
      'acme\u0000',
      'acme\u200b',
      '\u0430cme',
      '\uff41\uff43\uff4d\uff45',
      '{acme}',
      'acme*',
      '*',
      'ac me',
      'acme,globex',
      'a'.repeat(129),
      'acme\ud800',
      '\udc00acme',
      '',
      42,
      true,
      null,
    ];
    const handshake = (node: number, auth: Record<string, unknown>) => async (): Promise<Outcome> => {
      const socket = openClient(nodes[node]!.url, { auth });
      strays.push(socket);
      try {
        await ready(socket);
        return { ok: true, data: 'connected' };
      } catch (error) {
        return { ok: false, code: (error as Error).message, reply: (error as { data?: unknown }).data };
      }
    };
    const handshakes: Attempt[] = [];
    ['ann', 'bob', 'admin'].forEach((userId, u) => {
      craftedTenants.forEach((tenant, t) =>
        handshakes.push(
          // A non-empty string of well-formed Unicode is a tenant: one of its own, which reaches nothing of acme's.
          isTenant(tenant)
            ? {
                kind: 'handshake, crafted tenant (a tenant of its own)',
                what: `${userId} ${describeValue(tenant)}`,
                run: handshake((u + t) % 2, { token: signToken(userId, { tenant, rooms: ['*'] }) }),
                refusals: [],
                okIf: () => undefined,
              }
            : {
                kind: 'handshake, crafted tenant',
                what: `${userId} ${describeValue(tenant)}`,
                run: handshake((u + t) % 2, { token: signToken(userId, { tenant, rooms: ['*'] }) }),
                refusals: ['UNAUTHORIZED'],
              },
        ),
      );
      for (const [what, claims] of [
        ['no tenant', { rooms: ['*'] }],
        ['Tenant instead of tenant', { Tenant: 'acme', rooms: ['*'] }],
        ['tenant_id instead of tenant', { tenant_id: 'acme', rooms: ['*'] }],
      ] as const) {
        handshakes.push({
          kind: 'handshake, no tenant',
          what: `${userId} ${what}`,
          run: handshake(u % 2, { token: signToken(userId, claims) }),
          refusals: ['UNAUTHORIZED'],
        });
      }
    });
    for (const [what, token] of forged) {
      for (const node of [0, 1])
        handshakes.push({ kind: 'handshake, forged', what, run: handshake(node, { token }), refusals: ['UNAUTHORIZED'] });
    }
    handshakes.push({ kind: 'handshake, no tenant', what: 'no token', run: handshake(0, {}), refusals: ['UNAUTHORIZED'] });
    await attack(handshakes);

    // The attacker's sockets: globex with acme's user ids (mallory joins nothing), and tenants one character away from acme.
    const ATTACKERS: Array<[tenant: string, userId: string, node: number]> = [
      ['globex', 'ann', 0],
      ['globex', 'ann', 1],
      ['globex', 'admin', 1],
      ['globex', 'mallory', 0],
      ['ACME', 'ann', 0],
      ['acme.', 'admin', 1],
      ['acme:', 'ann', 1],
      ['acme-', 'bob', 0],
    ];
    for (const [tenant, userId, node] of ATTACKERS) {
      let connected: Member | undefined;
      await attack([
        {
          kind: tenant === 'globex' ? 'handshake, globex' : 'handshake, near-miss tenant (accepted, isolated)',
          what: `${tenant} ${userId}`,
          run: async () => {
            connected = await member(node, tenant, userId);
            return { ok: true, data: 'connected' };
          },
          okIf: () => undefined,
        },
      ]);
      attackers.push(connected!);
      if (!known.has(tenant)) known.set(tenant, new Set());
      known.get(tenant)!.add(userId);
    }
    const joiners = attackers.filter((who) => who.userId !== 'mallory');

    // --- auth:refresh with tokens of another tenant, of no tenant, of a crafted tenant, of another user: UNAUTHORIZED. ---
    const refreshes: Attempt[] = [];
    for (const who of attackers) {
      const { tenant, userId } = who;
      const claims: unknown[] = [
        'acme',
        ...(tenant === 'globex' ? ['ACME'] : ['globex']),
        [tenant],
        ['acme'],
        { toString: 'acme' },
        { toString: tenant },
        'acme/x',
        `${tenant}/x`,
        `../${tenant}`,
        'acme ',
        `${tenant} `,
        ` ${tenant}`,
        '',
        null,
        42,
      ];
      for (const value of claims) {
        refreshes.push({
          kind: 'auth:refresh, crafted tenant',
          what: `${who.label} ${describeValue(value)}`,
          run: ask(who, 'auth:refresh', { token: signToken(userId, { tenant: value, rooms: ['*'] }) }),
          refusals: ['UNAUTHORIZED'],
        });
      }
      for (const [what, token] of [
        ['no tenant', signToken(userId, { rooms: ['*'] })],
        ['Tenant instead of tenant', signToken(userId, { Tenant: tenant, rooms: ['*'] })],
        ['acme token of another user', signToken(userId === 'bob' ? 'ann' : 'bob', { tenant: 'acme', rooms: ['*'] })],
        ['own tenant, another user', signToken(userId === 'admin' ? 'ann' : 'admin', { tenant, rooms: ['*'] })],
        ...forged,
      ]) {
        refreshes.push({
          kind: 'auth:refresh, other token',
          what: `${who.label} ${what}`,
          run: ask(who, 'auth:refresh', { token }),
          refusals: ['UNAUTHORIZED'],
        });
      }
    }
    await attack(refreshes);
    // The attacker's own valid refresh still works: the socket stays in its tenant, with every room.
    await attack(
      attackers.map((who) => ({
        kind: 'auth:refresh, own tenant (control)',
        what: who.label,
        run: ask(who, 'auth:refresh', { token: signToken(who.userId, { tenant: who.tenant, rooms: ['*'] }) }),
        refusals: [],
        okIf: (data) => (typeof data?.expiresAt === 'string' ? undefined : `answered ${describeValue(data)}`),
      })),
    );

    // --- Chat: join every crafted room id; then send (with mentions), type, read history in each. ---
    await attack(
      joiners.flatMap((who) =>
        ROOM_IDS.map((roomId) => ({
          kind: 'chat:join',
          what: `${who.label} ${describeValue(roomId)}`,
          run: ask(who, 'chat:join', { roomId }),
          okIf: (data: any) => (same(data, { roomId }) ? undefined : `answered ${describeValue(data)}`),
        })),
      ),
    );
    let n = 0;
    const textOf = (who: Member, what: string) => `probe ${who.tenant} ${who.userId} ${what} #${n++} @ann @bob @admin`;
    const isOwnText = (who: Member, text: unknown) => typeof text === 'string' && text.startsWith(`probe ${who.tenant} `);
    const chat: Attempt[] = [];
    for (const who of attackers) {
      for (const roomId of ROOM_IDS) {
        const what = `${who.label} ${describeValue(roomId)}`;
        const text = textOf(who, 'send');
        chat.push({
          kind: 'chat:send, crafted room id',
          what,
          run: ask(who, 'chat:send', { roomId, text }),
          okIf: (data) =>
            data?.roomId === roomId && data.userId === who.userId && data.text === text && data.clientMsgId === undefined
              ? undefined
              : `answered ${describeValue(data)}`,
        });
        chat.push({
          kind: 'chat:typing, crafted room id',
          what,
          run: ask(who, 'chat:typing', { roomId, typing: true }),
          okIf: (data) => (same(data, {}) ? undefined : `answered ${describeValue(data)}`),
        });
        for (const query of [{ limit: 100 }, { after: '0-0', limit: 100 }]) {
          chat.push({
            kind: 'chat:history, crafted room id',
            what: `${what} ${describeValue(query)}`,
            run: ask(who, 'chat:history', { roomId, ...query }),
            okIf: (data) => {
              if (!Array.isArray(data?.messages)) return `answered ${describeValue(data)}`;
              const foreign = data.messages.find((message: ChatMessage) => message.roomId !== roomId || !isOwnText(who, message.text));
              return foreign ? `a page holding ${describeValue(foreign)}` : undefined;
            },
          });
        }
      }
    }
    // The spies' clientMsgIds, in both rooms, by every attacker: a fresh message of the attacker's, never the spy's.
    const replayed = new Map<string, ChatMessage>();
    const replays = (round: number): Attempt[] =>
      joiners.flatMap((who) =>
        SPY_SENDS.flatMap(([, , , clientMsgId]) =>
          ['general', 'ops'].map((roomId) => {
            const text = textOf(who, `replay ${round}`);
            const key = JSON.stringify([who.tenant, who.userId, roomId, clientMsgId]);
            return {
              kind: `chat:send, spy clientMsgId (round ${round})`,
              what: `${who.label} ${roomId} ${clientMsgId}`,
              run: ask(who, 'chat:send', { roomId, text, clientMsgId }),
              refusals: [],
              okIf: (data: any) => {
                if (data?.roomId !== roomId || data.userId !== who.userId || data.clientMsgId !== clientMsgId)
                  return `answered ${describeValue(data)}`;
                if (!data.text.startsWith(`probe ${who.tenant} ${who.userId} replay `))
                  return `got the message ${describeValue(data.text)}`;
                const first = replayed.get(key);
                // The same user's retry in its own tenant is answered with its first message: idempotency works, apart.
                if (round === 1 && !first) replayed.set(key, data);
                else if (!same(data, first)) return `a retry answered ${describeValue(data)}, not ${describeValue(first)}`;
                return undefined;
              },
            };
          }),
        ),
      );
    await attack([...chat, ...replays(1)]);

    // --- Presence: watch, query and set with every crafted user id; the publish API with and without a tenant. ---
    const presenceAndPublish: Attempt[] = [];
    for (const who of attackers) {
      for (const userId of USER_IDS) {
        for (const event of ['presence:subscribe', 'presence:query']) {
          presenceAndPublish.push({
            kind: `${event}, crafted user id`,
            what: `${who.label} ${describeValue(userId)}`,
            run: ask(who, event, { userIds: [userId] }),
            okIf: (data) =>
              Array.isArray(data?.presence) && data.presence.length === 1
                ? fromAttack(data.presence[0], who.tenant, userId)
                : `answered ${describeValue(data)}`,
          });
        }
      }
      const valid = USER_IDS.filter((userId) => userId.length >= 1 && userId.length <= 128);
      presenceAndPublish.push({
        kind: 'presence:query, crafted user id',
        what: `${who.label} all ${valid.length} at once`,
        run: ask(who, 'presence:query', { userIds: valid }),
        okIf: (data) =>
          Array.isArray(data?.presence) && data.presence.length === valid.length
            ? valid.map((userId, index) => fromAttack(data.presence[index], who.tenant, userId)).find(Boolean)
            : `answered ${describeValue(data)}`,
      });
      for (const status of ['online', 'away', 'busy', 'offline', 'acme', 'acme/busy']) {
        presenceAndPublish.push({
          kind: 'presence:set',
          what: `${who.label} ${status}`,
          run: ask(who, 'presence:set', { status, userId: 'acme/ann', tenant: 'acme' }),
          // Not necessarily the status asked for: the same user sets statuses on both nodes at once, and a set that
          // changes nothing answers the current entry. Whatever it is, it is the attacker's own.
          okIf: (data) => fromAttack(data, who.tenant, who.userId),
        });
      }
    }
    const publish =
      (node: number, body: unknown, key = KEY) =>
      async (): Promise<Outcome> => {
        const response = await fetch(`${nodes[node]!.url}/realtime/publish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify(body),
        });
        const reply = (await response.json()) as { error?: { code: string } };
        return response.status === 202
          ? { ok: true, data: reply, reply }
          : { ok: false, code: reply.error?.code ?? `HTTP ${response.status}`, reply };
      };
    const notification = (type: string) => ({ event: 'notification', data: { type, data: { probe: type } } });
    const targets = [
      { userId: 'ann' },
      { userId: 'admin' },
      { userIds: ['ann', 'bob', 'admin'] },
      { roomId: 'general' },
      { roomId: 'ops' },
      { userId: 'acme/ann' },
      { userId: '../acme/ann' },
      { roomId: 'acme/general' },
      { roomId: '../acme/general' },
    ];
    const accepted = (data: unknown) => (same(data, { accepted: true }) ? undefined : `answered ${describeValue(data)}`);
    targets.forEach((to, index) => {
      const what = describeValue(to);
      // A room id no socket could have joined is refused whatever the tenant.
      const badRoom = 'roomId' in to && !/^[A-Za-z0-9_.-]{1,64}$/.test(to.roomId ?? '');
      presenceAndPublish.push({
        kind: 'publish, no tenant',
        what,
        run: publish(index % 2, { to, ...notification('probe.untenanted') }),
        refusals: ['BAD_REQUEST'],
      });
      for (const tenant of [
        'acme/',
        '',
        ' acme',
        'acme ',
        'globex/../acme',
        ['acme'],
        { toString: 'acme' },
        42,
        null,
        'a'.repeat(129),
        'acme\ud800',
      ]) {
        presenceAndPublish.push(
          isTenant(tenant)
            ? {
                kind: 'publish, crafted tenant (a tenant of its own)',
                what: `${what} ${describeValue(tenant)}`,
                run: publish(index % 2, { to: { ...to, tenant }, ...notification('probe.crafted') }),
                refusals: badRoom ? ['BAD_REQUEST'] : [],
                okIf: badRoom ? () => 'accepted a room id no socket could have joined' : accepted,
              }
            : {
                kind: 'publish, crafted tenant',
                what: `${what} ${describeValue(tenant)}`,
                run: publish(index % 2, { to: { ...to, tenant }, ...notification('probe.crafted') }),
                refusals: ['BAD_REQUEST'],
              },
        );
      }
      for (const tenant of ['globex', 'ACME', 'acme.']) {
        presenceAndPublish.push({
          kind: 'publish, attacker’s tenant',
          what: `${what} ${tenant}`,
          run: publish(index % 2, { to: { ...to, tenant }, ...notification('probe.publish') }),
          refusals: badRoom ? ['BAD_REQUEST'] : [],
          okIf: badRoom ? () => 'accepted a room id no socket could have joined' : accepted,
        });
      }
      // (Not the key with a space at an end: fetch trims header values, so the server would get the key itself.)
      for (const key of ['', 'x'.repeat(KEY.length), KEY.slice(1), `${KEY}x`]) {
        presenceAndPublish.push({
          kind: 'publish, tenant acme without the key',
          what: `${what} ${describeValue(key)}`,
          run: publish(index % 2, { to: { ...to, tenant: 'acme' }, ...notification('probe.keyless') }, key),
          refusals: ['UNAUTHORIZED'],
        });
      }
    });
    await attack([...presenceAndPublish, ...replays(2)]);
    await attack([
      ...attackers.flatMap((who) =>
        USER_IDS.map((userId) => ({
          kind: 'presence:unsubscribe, crafted user id',
          what: `${who.label} ${describeValue(userId)}`,
          run: ask(who, 'presence:unsubscribe', { userIds: [userId] }),
          okIf: (data: any) => (same(data, {}) ? undefined : `answered ${describeValue(data)}`),
        })),
      ),
      ...joiners.flatMap((who) =>
        ROOM_IDS.map((roomId) => ({
          kind: 'chat:leave, crafted room id',
          what: `${who.label} ${describeValue(roomId)}`,
          run: ask(who, 'chat:leave', { roomId }),
          okIf: (data: any) => (same(data, { roomId }) ? undefined : `answered ${describeValue(data)}`),
        })),
      ),
    ]);

    const total = [...tally.values()].reduce((sum, outcomes) => sum + [...outcomes.values()].reduce((a, b) => a + b, 0), 0);
    const byKind = [...tally].map(([kind, outcomes]) => `  ${kind}: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    console.log(`tenant probes: ${total} attempts\n${byKind.join('\n')}`);
    expect(violations).toEqual([]);
    // Every attempt was processed: none turned away for its rate, none unanswered.
    const codes = [...tally.values()].flatMap((outcomes) => [...outcomes.keys()]);
    expect(codes).not.toContain('RATE_LIMITED');
    expect(codes).not.toContain('NO_REPLY');
    expect(total).toBeGreaterThan(1500);

    // --- The fence: acme's own message (with a mention) and presence change, through every path a leak would take. ---
    const fenceReply = await request(spy('acme:bob@2').socket, 'chat:send', {
      roomId: 'general',
      text: 'acme-secret fence @admin',
      clientMsgId: 'c-fence',
    });
    expect(fenceReply).toMatchObject({ ok: true });
    const fence: ChatMessage = fenceReply.data;
    const fencePresence = await request(spy('acme:ann@1').socket, 'presence:set', { status: 'away' });
    expect(fencePresence).toMatchObject({ ok: true, data: { userId: 'ann', status: 'away' } });
    const awayEntry: PresenceEntry = fencePresence.data;
    const signature = ({ event, args }: { event: string; args: unknown[] }): string => {
      if (event !== 'notification') return `${event} ${JSON.stringify(args)}`;
      // A notification's id and time are made where it is sent.
      const { type, data } = args[0] as { type: string; data: unknown };
      return `notification ${type} ${JSON.stringify(data)}`;
    };
    const expected = (who: Member): string[] =>
      [
        ...(who.label === 'acme:bob@2' ? [] : [signature({ event: 'chat:message', args: [fence] })]),
        ...(who.userId === 'admin'
          ? [`notification mention ${JSON.stringify({ roomId: 'general', messageId: fence.id, from: 'bob', text: fence.text })}`]
          : []),
        signature({ event: 'presence:update', args: [awayEntry] }),
      ].sort();
    const since = (who: Member) => who.seen.slice(cutoff.get(who));
    await eventually(() => spies.every((who) => since(who).length >= expected(who).length), 5000, 'the fence at every spy');
    await Promise.all(spies.map((who) => settle(who.socket)));
    // Each spy got exactly the fence: nothing the attack did, on either node.
    expect(Object.fromEntries(spies.map((who) => [who.label, since(who).map(signature).sort()]))).toEqual(
      Object.fromEntries(spies.map((who) => [who.label, expected(who)])),
    );

    // The attack did reach its own tenant: mentions and published notifications at globex's ann, on both nodes.
    const globexAnn = attackers.filter((who) => who.tenant === 'globex' && who.userId === 'ann');
    await eventually(
      () =>
        globexAnn.every((who) => {
          const types = (received(who, 'notification') as Array<{ type: string }>).map((item) => item.type);
          return types.includes('mention') && types.includes('probe.publish');
        }),
      5000,
      'the attack’s own mentions and pushes at globex’s ann',
    );
    // And the attacker's sockets got nothing of acme's: no message, mention or presence entry of acme's.
    await Promise.all(attackers.map((who) => settle(who.socket)));
    for (const who of attackers) {
      for (const event of who.seen) {
        const text = JSON.stringify(event.args);
        if (text.includes('acme-secret')) violations.push(`${who.label} received ${event.event} ${describeValue(event.args)}`);
        if (event.event === 'presence:update' && [...acmeEntries, awayEntry].some((entry) => same(entry, event.args[0]))) {
          violations.push(`${who.label} received acme’s presence ${describeValue(event.args[0])}`);
        }
      }
    }
    expect(violations).toEqual([]);

    // acme's state is as acme left it: its history, its presence, its clientMsgIds.
    const page = async (roomId: string) => (await request(spy('acme:ann@2').socket, 'chat:history', { roomId, limit: 100 })).data.messages;
    expect(await page('general')).toEqual([...spyMessages.filter((message) => message.roomId === 'general'), fence]);
    expect(await page('ops')).toEqual(spyMessages.filter((message) => message.roomId === 'ops'));
    const acmePresence = (await request(spy('acme:bob@1').socket, 'presence:query', { userIds: ['ann', 'bob', 'admin'] })).data.presence;
    expect(acmeEntries.map((entry) => entry.status)).toEqual(ACME_SETS.map(([, status]) => status));
    expect(acmePresence.slice(0, 2)).toEqual([awayEntry, acmeEntries[1]]);
    expect(acmePresence[2]).toMatchObject({ userId: 'admin', status: 'online' });
    expect(Date.parse(acmePresence[2].lastSeenAt)).toBeLessThan(attackStart);
    for (const [index, [label, roomId, text, clientMsgId]] of SPY_SENDS.entries()) {
      expect(await request(spy(label).socket, 'chat:send', { roomId, text: `${text} again`, clientMsgId })).toEqual({
        ok: true,
        data: spyMessages[index],
      });
    }
  }, 20_000);
});

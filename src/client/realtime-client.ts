import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
// Types only, and from the Nest-free contract files: at run time this module needs socket.io-client alone.
import type {
  BuiltInContract,
  ChatContract,
  ClientToServerEvents,
  Envelope,
  ErrorCode,
  PushPayload,
  RealtimeContract,
  ReplyData,
  RequestBody,
  RequestEvent,
  ServerToClientEvents,
  SessionContract,
} from './contracts.js';

export interface RealtimeClientOptions {
  /** The token for the first handshake. Give this, `getToken`, or both. */
  token?: string;
  /** Fetches a fresh token: before the current one expires (then sent with `auth:refresh`), and for every reconnect. */
  getToken?: () => string | Promise<string>;
  /** How long before the token's expiry it is refreshed (capped at half its remaining life). @default 60000 */
  refreshBeforeMs?: number;
  /** How long a request waits for its reply before it fails with `TIMEOUT`. @default 10000 */
  requestTimeoutMs?: number;
  /**
   * Retries of requests answered `UNAVAILABLE` (the server could not reach
   * Redis) that are safe to repeat: `chat:history`, `presence:query`,
   * `presence:subscribe`, `presence:unsubscribe`, a `chat:send` with a
   * `clientMsgId` (a repeat is answered with the first message), and what
   * `retryable` allows of the app's own events. Each waits the server's
   * `retryAfterMs`, doubled per attempt up to `maxDelayMs`, give or take a
   * quarter; any other request rejects at once. `false`: never retry.
   * @default { attempts: 3, maxDelayMs: 5000 }
   */
  retry?: false | RetryOptions;
  /** Passed to socket.io-client's `io()`. */
  socket?: Partial<ManagerOptions & SocketOptions>;
}

export interface RetryOptions {
  /** Retries after the first answer, at most. @default 3 */
  attempts?: number;
  /** The longest wait between two attempts. @default 5000 */
  maxDelayMs?: number;
  /** Which of the app's own requests are safe to repeat (reads, or writes the server deduplicates). */
  retryable?: (event: string, body: unknown) => boolean;
}

/** The built-in requests that are safe to repeat: reads, and watch-list changes that are idempotent. */
const SAFE_TO_REPEAT = new Set(['chat:history', 'presence:query', 'presence:subscribe', 'presence:unsubscribe']);

/** A request the server answered with an error, or that got no answer (`TIMEOUT`, `DISCONNECTED`). */
export class RealtimeRequestError extends Error {
  constructor(
    readonly code: ErrorCode | 'TIMEOUT',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RealtimeRequestError';
  }
}

/**
 * A socket.io-client socket typed with contract `C`: request names, bodies and
 * ack envelopes on `emitWithAck`, push names and payloads on `on`.
 *
 * @example
 * const socket: TypedSocket = io(url, { auth: { token } });
 * const reply = await socket.emitWithAck('chat:join', { roomId: 'lobby' }); // Envelope<{ roomId: string }>
 */
export type TypedSocket<C extends RealtimeContract = BuiltInContract> = Socket<ServerToClientEvents<C>, ClientToServerEvents<C>>;

/**
 * What `createRealtimeClient` returns, typed with contract `C`.
 *
 * @example
 * const client: RealtimeClient<MergeContracts<[BuiltInContract, typeof todoContract]>> = createRealtimeClient(url, { getToken });
 * const todo = await client.request('todo:add', { title: 'milk' }); // { id: string; title: string }
 */
export interface RealtimeClient<C extends RealtimeContract = BuiltInContract> {
  /** The underlying socket.io-client socket, typed with the contract. */
  readonly socket: TypedSocket<C>;
  /** Resolves with the first `session:ready`; rejects with the handshake's refusal. */
  readonly ready: Promise<PushPayload<SessionContract, 'session:ready'>>;
  /** Sends a request and resolves with its `data`, or rejects with a `RealtimeRequestError`. */
  request<E extends keyof C['requests'] & string>(event: E, body: RequestBody<C, E>): Promise<ReplyData<C, E>>;
  /** Listens to a push; returns the function that stops listening. Caught-up chat messages arrive here too. */
  on<E extends keyof C['pushes'] & string>(event: E, listener: (payload: PushPayload<C, E>) => void): () => void;
  close(): void;
}

type Message = PushPayload<ChatContract, 'chat:message'>;

/** How many message ids per room a client remembers to skip in a replay. */
const RECENT_IDS = 500;

/**
 * A client that speaks the protocol for you: `request()` unwraps the reply
 * envelope, the token is refreshed before it expires, a draining node's
 * `server:shutdown` is honoured, and after a reconnect the rooms the client
 * had joined are joined again and caught up with `chat:history` from the
 * last message seen, so `chat:message` listeners miss nothing.
 *
 * `C` is the server's contract: the built-in events by default; merge an
 * app's own contracts in to type its events too. The types are a promise
 * about the server, not checked on the wire.
 *
 * @example
 * const client = createRealtimeClient<MergeContracts<[BuiltInContract, typeof todoContract]>>('https://rt.example.com', {
 *   getToken: () => auth.currentToken(),
 * });
 * await client.ready;
 * await client.request('chat:join', { roomId: 'lobby' });
 * const todo = await client.request('todo:add', { title: 'milk' }); // { id: string; title: string }
 * client.on('todo:added', (added) => render(added));
 */
export function createRealtimeClient<C extends RealtimeContract = BuiltInContract>(
  url: string,
  options: RealtimeClientOptions,
): RealtimeClient<C> {
  const { refreshBeforeMs = 60_000, requestTimeoutMs = 10_000 } = options;
  const retry = options.retry === false ? { attempts: 0, maxDelayMs: 0 } : { attempts: 3, maxDelayMs: 5000, ...options.retry };
  const safeToRepeat = (event: string, body: unknown): boolean =>
    SAFE_TO_REPEAT.has(event) ||
    (event === 'chat:send' && typeof (body as { clientMsgId?: unknown } | undefined)?.clientMsgId === 'string') ||
    (options.retry !== false && options.retry?.retryable?.(event, body) === true);
  if (!options.token && !options.getToken) throw new Error('createRealtimeClient needs a token or getToken');

  let firstToken = options.token;
  const nextToken = async (): Promise<string> => {
    if (firstToken) {
      const token = firstToken;
      firstToken = undefined;
      return token;
    }
    if (!options.getToken) throw new Error('the token was used up and there is no getToken');
    return options.getToken();
  };

  // Typed with the built-in contract for this module's own work; handed out as `TypedSocket<C>`.
  const socket: TypedSocket<BuiltInContract> = io(url, {
    transports: ['websocket'],
    ...options.socket,
    // A function, so every reconnect presents a fresh token.
    auth: (send) => {
      nextToken().then(
        (token) => send({ token }),
        () => send({}),
      );
    },
  });

  const listeners = new Map<string, Set<(payload: never) => void>>();
  /** Joined rooms: the id of the last message that arrived, and the ids seen lately (so a replay skips them). */
  const joined = new Map<string, { lastSeen?: string; recent: Set<string> }>();
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let sessions = 0;
  let closed = false;

  const dispatch = (event: string, payload: unknown): void => {
    for (const listener of listeners.get(event) ?? []) (listener as (payload: unknown) => void)(payload);
  };

  const request = async <E extends RequestEvent>(
    event: E,
    body: RequestBody<BuiltInContract, E>,
  ): Promise<ReplyData<BuiltInContract, E>> => {
    let reply: Envelope<ReplyData<BuiltInContract, E>>;
    for (let attempt = 0; ; attempt++) {
      try {
        reply = await (socket.timeout(requestTimeoutMs) as unknown as Socket).emitWithAck(event, body);
      } catch {
        throw new RealtimeRequestError('TIMEOUT', `No reply to ${event} within ${requestTimeoutMs} ms`);
      }
      if (reply.ok || reply.error.code !== 'UNAVAILABLE' || attempt >= retry.attempts || closed || !safeToRepeat(event, body)) break;
      const after = Number((reply.error.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs) || 1000;
      const delay = Math.min(retry.maxDelayMs, after * 2 ** attempt) * (0.75 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, retry.maxDelayMs)));
    }
    if (!reply.ok) throw new RealtimeRequestError(reply.error.code, reply.error.message, reply.error.details);
    const roomId = (body as { roomId?: string }).roomId;
    if (event === 'chat:join' && roomId && !joined.has(roomId)) joined.set(roomId, { recent: new Set() });
    if (event === 'chat:leave' && roomId) joined.delete(roomId);
    if (event === 'chat:send') remember(reply.data as Message);
    return reply.data;
  };

  const scheduleRefresh = (expiresAt: string): void => {
    clearTimeout(refreshTimer);
    if (!options.getToken || closed) return;
    const remaining = Date.parse(expiresAt) - Date.now();
    const delay = Math.max(0, remaining - Math.min(refreshBeforeMs, remaining / 2));
    refreshTimer = setTimeout(() => void refresh(), Math.min(delay, 2 ** 31 - 1));
  };

  const refresh = async (): Promise<void> => {
    try {
      const { expiresAt } = await request('auth:refresh', { token: await options.getToken!() });
      scheduleRefresh(expiresAt);
    } catch {
      // The next reconnect fetches a token anyway; try again shortly meanwhile.
      if (!closed) refreshTimer = setTimeout(() => void refresh(), 5000);
    }
  };

  /** Joins the rooms of the previous session again and replays what was missed, oldest first. */
  const catchUp = async (): Promise<void> => {
    for (const [roomId, room] of [...joined]) {
      try {
        await request('chat:join', { roomId });
        // Nothing seen before the drop: only what arrives from now on is new.
        if (room.lastSeen === undefined) continue;
        let after = room.lastSeen;
        for (;;) {
          const page = await request('chat:history', { roomId, after, limit: 100 });
          for (const message of page.messages) {
            if (!room.recent.has(message.id)) dispatch('chat:message', message);
            arrived(message);
          }
          after = page.messages.at(-1)?.id ?? after;
          if (!page.hasMore) break;
        }
      } catch {
        joined.delete(roomId);
      }
    }
  };

  /** A message that reached this client, in the order the room's messages arrive. */
  const arrived = (message: Message): void => {
    const room = joined.get(message.roomId);
    if (!room) return;
    room.lastSeen = message.id;
    remember(message);
  };

  /** Keeps the ids of the last messages seen (own sends included) so a replay after a reconnect skips them. */
  const remember = (message: Message): void => {
    const recent = joined.get(message.roomId)?.recent;
    if (!recent) return;
    recent.add(message.id);
    if (recent.size > RECENT_IDS) recent.delete(recent.values().next().value!);
  };

  const ready = new Promise<PushPayload<SessionContract, 'session:ready'>>((resolve, reject) => {
    socket.once('session:ready', resolve);
    socket.once('connect_error', reject);
  });
  ready.catch(() => undefined);

  socket.on('session:ready', (session) => {
    scheduleRefresh(session.expiresAt);
    if (sessions++ > 0) void catchUp();
  });
  socket.on('chat:message', (message) => arrived(message));
  socket.on('chat:left', ({ roomId }) => joined.delete(roomId));
  socket.on('server:shutdown', ({ reconnectAfterMs }) => {
    setTimeout(() => {
      if (closed) return;
      socket.disconnect();
      socket.connect();
    }, reconnectAfterMs);
  });
  socket.on('session:expired', () => {
    // The server disconnects an expired socket; with getToken we come back with a fresh token.
    if (options.getToken) socket.once('disconnect', () => !closed && socket.connect());
  });
  socket.onAny((event: string, payload: unknown) => dispatch(event, payload));

  return {
    // One code path serves every event: the built-in ones are tracked by name, any other passes through.
    socket: socket as unknown as TypedSocket<C>,
    ready,
    request: request as unknown as RealtimeClient<C>['request'],
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
    close() {
      closed = true;
      clearTimeout(refreshTimer);
      socket.disconnect();
    },
  };
}

import WebSocket from 'ws';

/**
 * A Socket.IO client in a few dozen lines: Engine.IO v4 / Socket.IO v5 over a
 * raw `ws` WebSocket, default namespace only. Far cheaper than socket.io-client
 * (hundreds of them fit in a test), and it can say what no real client would:
 * broken packets, bad type digits, binary placeholders without attachments.
 *
 * Frames: `0{...}` open, `2` ping (answered `3`), `40{auth}` connect,
 * `40{"sid"}` connected, `44{...}` refused, `42[event, ...args]` an event,
 * `42<id>[...]` one that wants an ack, `43<id>[reply]` the ack.
 */
export interface RawOptions {
  /** Extra headers of the upgrade request (`origin`, `authorization`). */
  headers?: Record<string, string>;
  /** Extra query parameters of the handshake URL. */
  query?: Record<string, string>;
  /** Socket.IO path. @default '/socket.io' */
  path?: string;
  /** Answer the server's pings. @default true */
  autoPong?: boolean;
}

export interface Refusal {
  message: string;
  data?: { code: string; message: string };
}

type Listener = (...args: any[]) => void;

export class RawClient {
  /** Every text frame received, in order (for the malformed-packet suites). */
  readonly frames: string[] = [];
  /** The Engine.IO handshake (`0{...}`). */
  open?: { sid: string; pingInterval: number; pingTimeout: number; maxPayload: number };
  /** The Socket.IO socket id once connected. */
  socketId?: string;
  /** Resolves when the WebSocket is closed, by either side. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly acks = new Map<number, (reply: unknown) => void>();
  private nextAckId = 0;
  private keepFrames = true;

  constructor(
    readonly ws: WebSocket,
    private readonly autoPong: boolean,
  ) {
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = data.toString();
      if (this.keepFrames) this.frames.push(frame);
      this.onFrame(frame);
    });
  }

  /** Stops recording frames (for long-lived clients in load suites). */
  quiet(): this {
    this.keepFrames = false;
    this.frames.length = 0;
    return this;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends `40{auth}` and resolves with the socket id, or rejects with the refusal (`err.message` is the code). */
  connect(auth: Record<string, unknown> = {}, ms = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no answer to the Socket.IO handshake within ${ms} ms`)), ms);
      const done = (error?: Error, sid?: string) => {
        clearTimeout(timer);
        this.off('$connect', onConnect);
        this.off('$refused', onRefused);
        this.off('$close', onClose);
        if (error) reject(error);
        else resolve(sid!);
      };
      const onConnect = (sid: string) => done(undefined, sid);
      const onRefused = (refusal: Refusal) => done(Object.assign(new Error(refusal.message), { data: refusal.data }));
      const onClose = () => done(new Error('closed before the Socket.IO handshake completed'));
      this.on('$connect', onConnect);
      this.on('$refused', onRefused);
      this.on('$close', onClose);
      this.send(`40${JSON.stringify(auth)}`);
    });
  }

  /** `42[event, ...args]`: no ack. */
  emit(event: string, ...args: unknown[]): void {
    this.send(`42${JSON.stringify([event, ...args])}`);
  }

  /** `42<id>[event, body]` and the ack's first argument; rejects after `ms`. */
  request<T = any>(event: string, body?: unknown, ms = 5000): Promise<T> {
    const id = this.nextAckId++;
    const args = body === undefined ? [event] : [event, body];
    return this.requestRaw<T>(id, `42${id}${JSON.stringify(args)}`, ms);
  }

  /** Sends a pre-built event frame carrying ack id `id`, and waits for `43<id>`. */
  requestRaw<T = any>(id: number, frame: string, ms = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error(`no ack ${id} within ${ms} ms`));
      }, ms);
      this.acks.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply as T);
      });
      this.send(frame);
    });
  }

  /** A fresh ack id for `requestRaw`. */
  ackId(): number {
    return this.nextAckId++;
  }

  /** Sends one raw frame, text or binary, if the socket is still open. */
  send(frame: string | Buffer): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  on(event: string, listener: Listener): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  /** Resolves with the first payload of a server event, or rejects after `ms`. */
  next<T = any>(event: string, ms = 3000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off(event, on);
        reject(new Error(`no "${event}" within ${ms} ms`));
      }, ms);
      const on = (payload: T) => {
        clearTimeout(timer);
        this.off(event, on);
        resolve(payload);
      };
      this.on(event, on);
    });
  }

  /** Closes politely (Socket.IO disconnect, then the WebSocket). */
  close(): void {
    this.send('41');
    this.ws.close();
  }

  /** Drops the TCP connection without a word. */
  terminate(): void {
    this.ws.terminate();
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
  }

  private onFrame(frame: string): void {
    const type = frame[0];
    if (type === '0') {
      this.open = JSON.parse(frame.slice(1));
      return;
    }
    if (type === '2') {
      if (this.autoPong) this.send('3');
      return;
    }
    if (type === '1') return void this.ws.close();
    if (type !== '4') return;
    const kind = frame[1];
    let rest = frame.slice(2);
    // Packets of other namespaces (`44/admin,{...}`) are only kept in `frames`.
    if (rest.startsWith('/')) {
      const comma = rest.indexOf(',');
      if (rest.slice(0, comma) !== '/') return;
      rest = rest.slice(comma + 1);
    }
    if (kind === '0') {
      this.socketId = JSON.parse(rest).sid;
      return this.fire('$connect', this.socketId);
    }
    if (kind === '4') return this.fire('$refused', JSON.parse(rest) as Refusal);
    if (kind === '1') return this.fire('$disconnect');
    if (kind === '2') {
      const start = rest.indexOf('[');
      const [event, ...args] = JSON.parse(rest.slice(start)) as [string, ...unknown[]];
      return this.fire(event, ...args);
    }
    if (kind === '3') {
      const start = rest.indexOf('[');
      const id = Number(rest.slice(0, start));
      const [reply] = JSON.parse(rest.slice(start)) as [unknown];
      const ack = this.acks.get(id);
      this.acks.delete(id);
      ack?.(reply);
    }
  }

  /** @internal */
  closedNow(): void {
    this.fire('$close');
  }
}

/** The WebSocket URL of the Engine.IO endpoint of an app served at `httpUrl`. */
export function engineUrl(httpUrl: string, options: Pick<RawOptions, 'path' | 'query'> = {}): string {
  const url = new URL(httpUrl.replace(/^http/, 'ws'));
  url.pathname = `${options.path ?? '/socket.io'}/`;
  url.searchParams.set('EIO', '4');
  url.searchParams.set('transport', 'websocket');
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  return url.toString();
}

/** Opens the WebSocket and resolves once the Engine.IO open packet arrived (the Socket.IO handshake is not sent). */
export async function openRaw(httpUrl: string, options: RawOptions = {}, ms = 5000): Promise<RawClient> {
  const ws = new WebSocket(engineUrl(httpUrl, options), { headers: options.headers, handshakeTimeout: ms });
  const client = new RawClient(ws, options.autoPong ?? true);
  ws.once('close', () => client.closedNow());
  const opened = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no Engine.IO open packet within ${ms} ms`)), ms);
    const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary || data.toString()[0] !== '0') return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve();
    };
    ws.on('message', onMessage);
    ws.once('close', () => {
      clearTimeout(timer);
      reject(new Error('closed before the Engine.IO open packet'));
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`upgrade refused with HTTP ${res.statusCode}`));
    });
  });
  try {
    await opened;
  } catch (error) {
    ws.terminate();
    throw error;
  }
  return client;
}

/** Opens, authenticates with `auth` (`{ token }`), and resolves once `session:ready` arrived. */
export async function connectRaw(httpUrl: string, auth: Record<string, unknown>, options: RawOptions = {}, ms = 5000): Promise<RawClient> {
  const client = await openRaw(httpUrl, options, ms);
  const ready = client.next('session:ready', ms);
  ready.catch(() => undefined);
  try {
    await client.connect(auth, ms);
    await ready;
  } catch (error) {
    client.terminate();
    throw error;
  }
  return client;
}

/** Resolves once the client's WebSocket is closed (by the server, typically), or rejects after `ms`. */
export async function closedWithin(client: RawClient, ms = 3000): Promise<{ code: number; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the connection was still open after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([client.closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes every client and waits until each WebSocket is gone. */
export async function closeAll(clients: Iterable<RawClient>): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (const client of clients) {
    if (client.ws.readyState === WebSocket.CLOSED) continue;
    pending.push(client.closed);
    client.terminate();
  }
  await Promise.all(pending);
}

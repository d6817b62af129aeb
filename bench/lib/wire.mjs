// The load generator's client: Engine.IO v4 / Socket.IO v5 spoken directly
// over `ws`, because socket.io-client costs about as much CPU per message as
// the server and would make the generator the bottleneck. It sends what
// socket.io-client sends (`40{auth}`, `42<id>["event",body]`, `3` for a `2`
// ping) and reads replies without decoding them: acks are matched by id, and
// payloads are only searched, never parsed.
//
// `raw` mode talks to the bare `ws` floor: no Engine.IO handshake, the token in
// an Authorization header, and the echoed `42<id>[...]` frame counts as the
// ack of request <id>.
import WebSocket from 'ws';

const C0 = 48; // '0'
const C2 = 50; // '2'
const C3 = 51; // '3'
const C4 = 52; // '4'
const OK = Buffer.from('"ok":true');
// A zero mask lets ws skip masking on the generator side (RFC 6455 asks clients
// for unpredictable masks to protect proxies; there are none here). The server
// unmasks every frame the same way whatever the key.
const zeroMask = (mask) => mask.fill(0);

/** Requests one client can have in flight; beyond that the oldest one's reply is ignored (and counted as lost). */
const RING = 4096;

/**
 * A client's requests waiting for their reply, by id. Ids are sequential, so
 * a ring of slots indexed by id holds them without allocating. A Map did:
 * one set and one delete per request made it rebuild its table again and
 * again, and those tables lived past two scavenges (the Map itself is old),
 * so the generator promoted about 5 MB a second of them in the closed loop
 * and paid for it with a mark-compact of 4 to 12 ms every few seconds,
 * inside the windows it measures.
 */
class PendingRequests {
  constructor() {
    this.ids = new Float64Array(RING).fill(-1);
    this.callbacks = new Array(RING).fill(undefined);
  }

  add(id, callback) {
    const slot = id % RING;
    this.ids[slot] = id;
    this.callbacks[slot] = callback;
  }

  /** The callback of request `id`, once: undefined for an unknown id or one already answered. */
  take(id) {
    const slot = id % RING;
    if (this.ids[slot] !== id) return undefined;
    const callback = this.callbacks[slot];
    this.ids[slot] = -1;
    this.callbacks[slot] = undefined;
    return callback;
  }
}

export class WireClient {
  /**
   * @param {object} options
   * @param {number} options.port
   * @param {string} options.token
   * @param {boolean} [options.raw] the bare ws floor
   * @param {(data: Buffer) => void} [options.onEvent] server pushes (`42[...]` without an id)
   * @param {string} [options.localAddress] the source address of the connection (any 127.x.y.z on loopback):
   *   each source address has ports of its own, so many addresses hold more connections than one
   * @param {number} [options.localPort] with localAddress, the source port, bound as given: without it the kernel
   *   searches the address's ports for a free one, which grows costly past a few thousand (bench/lib/scale/generator.mjs)
   * @param {() => void} [options.onClose] called once when a connection that was connected closes other than by close()
   */
  constructor({ port, token, raw = false, onEvent, localAddress, localPort, onClose }) {
    this.port = port;
    this.token = token;
    this.raw = raw;
    this.onEvent = onEvent ?? (() => {});
    this.localAddress = localAddress;
    this.localPort = localPort;
    this.onClose = onClose;
    this.nextId = 0;
    this.ring = undefined;
    this.ws = undefined;
    this.connected = false;
    this.closed = false;
    this.errors = 0;
    this.lastError = undefined;
  }

  /**
   * The requests waiting for their reply, made on the first request: an idle
   * client (the scale runs hold tens of thousands) does not carry the 64 kB ring.
   */
  get pending() {
    return (this.ring ??= new PendingRequests());
  }

  /**
   * Resolves once the namespace is connected (`40{sid}`); rejects with the refusal code on `44`, and with
   * a timeout error (the connection closed) when `timeoutMs` is given and passes first.
   */
  connect(timeoutMs) {
    return new Promise((resolve, reject) => {
      const url = this.raw ? `ws://127.0.0.1:${this.port}/` : `ws://127.0.0.1:${this.port}/socket.io/?EIO=4&transport=websocket`;
      const headers = this.raw ? { authorization: `Bearer ${this.token}` } : undefined;
      const ws = new WebSocket(url, {
        perMessageDeflate: false,
        skipUTF8Validation: true,
        generateMask: zeroMask,
        headers,
        ...(this.localAddress !== undefined && { localAddress: this.localAddress }),
        ...(this.localPort !== undefined && { localPort: this.localPort }),
      });
      this.ws = ws;
      let settled = false;
      let timer;
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          fail(new Error(`no connect within ${timeoutMs} ms`));
          ws.terminate();
        }, timeoutMs);
      }
      const fail = (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      const succeed = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.connected = true;
        resolve(this);
      };
      ws.on('unexpected-response', (_req, res) => {
        fail(new RefusedError(res.statusCode === 401 ? 'UNAUTHORIZED' : `HTTP ${res.statusCode}`));
        ws.terminate();
      });
      ws.on('error', (error) => {
        this.lastError = error;
        fail(error);
      });
      ws.on('close', () => {
        const wasConnected = this.connected;
        this.closed = true;
        this.connected = false;
        fail(new Error('closed before the namespace connected'));
        if (wasConnected) this.onClose?.();
      });
      if (this.raw) {
        ws.on('open', succeed);
        ws.on('message', (data) => this.readRaw(data));
        return;
      }
      ws.on('message', (data) => {
        const type = data[0];
        if (type === C4) {
          const kind = data[1];
          if (kind === C2 || kind === C3) return this.readPacket(data, kind);
          if (kind === C0) return succeed();
          if (kind === C4) {
            const text = data.toString();
            const code = /"message":"([^"]*)"/.exec(text)?.[1] ?? text;
            fail(new RefusedError(code));
            return ws.close();
          }
          return;
        }
        if (type === C2) return ws.send('3');
        if (type === C0) return ws.send(`40${JSON.stringify({ token: this.token })}`);
      });
    });
  }

  readPacket(data, kind) {
    let index = 2;
    let id = -1;
    for (let c = data[index]; c >= 48 && c <= 57; c = data[++index]) id = (id < 0 ? 0 : id * 10) + (c - 48);
    if (kind === C3) {
      const callback = this.pending.take(id);
      if (callback === undefined) return;
      const ok = data.indexOf(OK, index) !== -1;
      if (!ok) {
        this.errors++;
        this.lastError = data.toString();
      }
      callback(ok, data);
    } else if (id < 0) {
      this.onEvent(data);
    }
  }

  readRaw(data) {
    if (data[0] === C4 && data[1] === C2) {
      let index = 2;
      let id = -1;
      for (let c = data[index]; c >= 48 && c <= 57; c = data[++index]) id = (id < 0 ? 0 : id * 10) + (c - 48);
      const callback = id >= 0 ? this.pending.take(id) : undefined;
      if (callback !== undefined) {
        return callback(true, data);
      }
    }
    this.onEvent(data);
  }

  /** Sends `event` with `bodyJson` (already JSON) and an ack; `callback(ok, frame)` gets the reply. */
  request(event, bodyJson, callback) {
    const id = this.nextId++;
    this.pending.add(id, callback);
    this.ws.send(`42${id}["${event}",${bodyJson}]`);
    return id;
  }

  /** `request` as a promise of the reply frame; rejects on an error envelope. */
  call(event, body, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${event}: no reply within ${timeoutMs} ms`)), timeoutMs);
      this.request(event, JSON.stringify(body), (ok, data) => {
        clearTimeout(timer);
        if (ok) resolve(data);
        else reject(new Error(`${event}: ${data.toString()}`));
      });
    });
  }

  /** Drops the connection at once; `onClose` is not called for it. */
  close() {
    this.connected = false;
    if (this.ws && !this.closed) this.ws.terminate();
    this.closed = true;
  }
}

export class RefusedError extends Error {
  constructor(code) {
    super(code);
    this.code = code;
  }
}

/**
 * Opens `count` clients with at most `concurrency` handshakes in flight;
 * `make(i)` builds client i. Resolves with the clients and the failures.
 */
export async function openMany(count, concurrency, make) {
  const clients = new Array(count);
  const failures = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const client = make(i);
      try {
        clients[i] = await client.connect();
      } catch (error) {
        failures.push({ i, error });
        client.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { clients: clients.filter(Boolean), failures };
}

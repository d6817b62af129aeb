// One real-client check per variant, so the raw generator is not the only
// thing that says a variant speaks the protocol: socket.io-client connects
// with the token in `auth`, gets its echo back in the envelope, sees a bad
// token refused with UNAUTHORIZED, and receives a `chat:message` sent by a
// second client to a room both joined. The bare ws floor is checked with a
// plain ws client instead.
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { tokenFor } from './tokens.mjs';

const TIMEOUT_MS = 5000;

export async function smoke(variant, port) {
  try {
    if (variant.raw) await smokeRaw(port);
    else await smokeSocketIo(port);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error.message };
  }
}

function withTimeout(promise, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timed out`)), TIMEOUT_MS))),
  ]).finally(() => clearTimeout(timer));
}

function client(port, token) {
  return io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
}

function connected(socket) {
  return new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
}

async function smokeSocketIo(port) {
  const a = client(port, tokenFor('smoke-a'));
  const b = client(port, tokenFor('smoke-b'));
  const bad = client(port, tokenFor('smoke-bad', { valid: false }));
  const refused = new Promise((resolve, reject) => {
    bad.once('connect', () => reject(new Error('a token signed with another key was accepted')));
    bad.once('connect_error', resolve);
  });
  try {
    await withTimeout(Promise.all([connected(a), connected(b)]), 'connect');
    const echo = await withTimeout(a.emitWithAck('bench:echo', { text: 'smoke' }), 'bench:echo');
    if (echo?.ok !== true || echo.data?.text !== 'smoke') throw new Error(`bench:echo replied ${JSON.stringify(echo)}`);
    const refusal = await withTimeout(refused, 'bad token');
    if (refusal.message !== 'UNAUTHORIZED') throw new Error(`a bad token was refused with "${refusal.message}", not UNAUTHORIZED`);
    for (const socket of [a, b]) {
      const joined = await withTimeout(socket.emitWithAck('chat:join', { roomId: 'smoke' }), 'chat:join');
      if (joined?.ok !== true) throw new Error(`chat:join replied ${JSON.stringify(joined)}`);
    }
    const received = new Promise((resolve) => b.once('chat:message', resolve));
    const sent = await withTimeout(a.emitWithAck('chat:send', { roomId: 'smoke', text: 'hello' }), 'chat:send');
    if (sent?.ok !== true) throw new Error(`chat:send replied ${JSON.stringify(sent)}`);
    const message = await withTimeout(received, 'chat:message');
    if (message?.text !== 'hello' || message.roomId !== 'smoke') throw new Error(`chat:message was ${JSON.stringify(message)}`);
  } finally {
    for (const socket of [a, b, bad]) socket.disconnect();
  }
}

async function smokeRaw(port) {
  const open = (token) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { authorization: `Bearer ${token}` } });
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  const ws = await withTimeout(open(tokenFor('smoke-a')), 'connect');
  try {
    const frame = '420["bench:echo",{"text":"smoke"}]';
    const reply = new Promise((resolve) => ws.once('message', (data) => resolve(data.toString())));
    ws.send(frame);
    const echoed = await withTimeout(reply, 'echo');
    if (echoed !== frame) throw new Error(`echoed ${echoed}`);
  } finally {
    ws.close();
  }
  const refused = await withTimeout(
    open(tokenFor('smoke-bad', { valid: false })).then(
      (socket) => {
        socket.close();
        throw new Error('a token signed with another key was accepted');
      },
      (error) => error,
    ),
    'bad token',
  );
  if (refused.status !== 401) throw new Error(`a bad token was refused with ${refused.message}, not 401`);
}

// Bare Socket.IO 4.8, what a user would write without Nest: the same JWT
// checked in an `io.use` middleware with jsonwebtoken, an ack handler for the
// echo, and `socket.to(room).emit` for the chat fan-out. With REDIS_URL (one
// redis-server) or REDIS_CLUSTER_NODES (a Redis Cluster's seed nodes), the
// same sharded Redis adapter (and Redis client) as the project's app.
//
// With BENCH_EVENTS=1 (the events scenario starts it so), the app's real
// events as a bare Socket.IO app would write them, each doing what the app's
// handler visibly does (docs/protocol.md): `presence:query` answered from a
// Map of who is connected; `chat:typing` to the room's other sockets,
// volatile as the app's, answered `{}`; `chat:send` that keeps each room's
// newest 1,000 messages (the app's CHAT_HISTORY_PER_ROOM) and answers a
// `clientMsgId` seen before (24 h, the newest 1,000 per user) with the first
// message, telling the room nothing; `chat:history` of the newest `limit`
// (50 by default) of them. Room access reads the token's `rooms` claim, as
// the app's default policy does, and sending or typing needs a join. No
// body validation, as for the echo. Off by default, so that the other
// scenarios measure the server they always have (no presence Map, nothing
// kept per socket or per message).
import { createServer } from 'node:http';
import jwt from 'jsonwebtoken';
import { Server } from 'socket.io';
import { env, ready } from './control.mjs';
import { shardedRedisAdapter } from './redis.mjs';

const secret = env('JWT_SECRET');

const http = createServer();
const options = {};
const adapter = await shardedRedisAdapter();
if (adapter) options.adapter = adapter;
const io = new Server(http, options);

io.use((socket, next) => {
  try {
    const claims = jwt.verify(socket.handshake.auth?.token ?? '', secret, { algorithms: ['HS256'] });
    socket.data.user = { userId: claims.sub, claims };
    next();
  } catch {
    const error = new Error('UNAUTHORIZED');
    error.data = { code: 'UNAUTHORIZED', message: 'The token is not valid' };
    next(error);
  }
});

let sequence = 0;
const withEvents = env('BENCH_EVENTS', '0') === '1';
io.on('connection', (socket) => {
  socket.on('bench:echo', (body, ack) => {
    if (typeof ack === 'function') ack({ ok: true, data: body });
  });
  if (withEvents) return realEvents(socket);
  socket.on('chat:join', (body, ack) => {
    socket.join(`chat:${body.roomId}`);
    if (typeof ack === 'function') ack({ ok: true, data: { roomId: body.roomId } });
  });
  socket.on('chat:send', (body, ack) => {
    const message = {
      id: `${Date.now()}-${++sequence}`,
      roomId: body.roomId,
      userId: socket.data.user.userId,
      text: body.text,
      sentAt: new Date().toISOString(),
    };
    socket.to(`chat:${body.roomId}`).emit('chat:message', message);
    if (typeof ack === 'function') ack({ ok: true, data: message });
  });
});

const HISTORY_PER_ROOM = 1000;
const SEEN_PER_USER = 1000;
const SEEN_FOR_MS = 24 * 60 * 60 * 1000;
/** userId -> { status, since, sockets }: every user that ever connected. */
const presence = new Map();
/** roomId -> { messages: the room's newest, oldest first; lastMs, lastSeq: of the last id, `<ms>-<seq>` as the app's }. */
const histories = new Map();
/** userId -> Map of `roomId clientMsgId` -> { message, expiresAt }, oldest first. */
const seen = new Map();

const refuse = (ack, code, message) => {
  if (typeof ack === 'function') ack({ ok: false, error: { code, message } });
};
const allowed = (socket, roomId) => {
  const rooms = socket.data.user.claims.rooms;
  return Array.isArray(rooms) && (rooms.includes('*') || rooms.includes(roomId));
};

function realEvents(socket) {
  const { userId } = socket.data.user;
  let record = presence.get(userId);
  if (!record) presence.set(userId, (record = { status: 'offline', since: 0, sockets: 0 }));
  if (record.sockets++ === 0) Object.assign(record, { status: 'online', since: Date.now() });
  socket.on('disconnect', () => {
    if (--record.sockets === 0) Object.assign(record, { status: 'offline', since: Date.now() });
  });

  socket.on('presence:query', (body, ack) => {
    const entries = [...new Set(body.userIds)].map((id) => {
      const known = presence.get(id);
      return known
        ? { userId: id, status: known.status, lastSeenAt: new Date(known.since).toISOString() }
        : { userId: id, status: 'offline', lastSeenAt: null };
    });
    if (typeof ack === 'function') ack({ ok: true, data: { presence: entries } });
  });
  socket.on('chat:join', (body, ack) => {
    if (!allowed(socket, body.roomId)) return refuse(ack, 'FORBIDDEN', 'You may not use this room');
    socket.join(`chat:${body.roomId}`);
    if (typeof ack === 'function') ack({ ok: true, data: { roomId: body.roomId } });
  });
  socket.on('chat:typing', (body, ack) => {
    const room = `chat:${body.roomId}`;
    if (!socket.rooms.has(room)) return refuse(ack, 'FORBIDDEN', 'Join the room before you type in it');
    socket.to(room).volatile.emit('chat:typing', { roomId: body.roomId, userId, typing: body.typing });
    if (typeof ack === 'function') ack({ ok: true, data: {} });
  });
  socket.on('chat:send', (body, ack) => {
    const { roomId, text, clientMsgId } = body;
    const room = `chat:${roomId}`;
    if (!socket.rooms.has(room) || !allowed(socket, roomId)) return refuse(ack, 'FORBIDDEN', 'Join the room before you send to it');
    let mine;
    let key;
    if (clientMsgId !== undefined) {
      mine = seen.get(userId);
      if (!mine) seen.set(userId, (mine = new Map()));
      key = `${roomId} ${clientMsgId}`;
      const first = mine.get(key);
      if (first && first.expiresAt > Date.now()) {
        if (typeof ack === 'function') ack({ ok: true, data: first.message });
        return;
      }
    }
    let history = histories.get(roomId);
    if (!history) histories.set(roomId, (history = { messages: [], lastMs: -1, lastSeq: -1 }));
    const now = Math.max(Date.now(), history.lastMs);
    history.lastSeq = now === history.lastMs ? history.lastSeq + 1 : 0;
    history.lastMs = now;
    const message = {
      id: `${now}-${history.lastSeq}`,
      roomId,
      userId,
      text,
      ...(clientMsgId !== undefined && { clientMsgId }),
      sentAt: new Date(now).toISOString(),
    };
    const { messages } = history;
    messages.push(message);
    if (messages.length > HISTORY_PER_ROOM) messages.splice(0, messages.length - HISTORY_PER_ROOM);
    if (mine) {
      mine.delete(key);
      mine.set(key, { message, expiresAt: now + SEEN_FOR_MS });
      if (mine.size > SEEN_PER_USER) mine.delete(mine.keys().next().value);
    }
    socket.to(room).emit('chat:message', message);
    if (typeof ack === 'function') ack({ ok: true, data: message });
  });
  socket.on('chat:history', (body, ack) => {
    if (!allowed(socket, body.roomId)) return refuse(ack, 'FORBIDDEN', 'You may not use this room');
    const messages = histories.get(body.roomId)?.messages ?? [];
    const limit = body.limit ?? 50;
    const start = Math.max(0, messages.length - limit);
    if (typeof ack === 'function') ack({ ok: true, data: { messages: messages.slice(start), hasMore: start > 0 } });
  });
}

http.listen(Number(env('PORT', '0')), '127.0.0.1', () => ready(http.address().port));

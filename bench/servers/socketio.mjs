// Bare Socket.IO 4.8, what a user would write without Nest: the same JWT
// checked in an `io.use` middleware with jsonwebtoken, an ack handler for the
// echo, and `socket.to(room).emit` for the chat fan-out. With REDIS_URL, the
// same sharded Redis adapter (and Redis client) as the project's app.
import { createServer } from 'node:http';
import jwt from 'jsonwebtoken';
import { Server } from 'socket.io';
import { env, ready } from './control.mjs';

const secret = env('JWT_SECRET');
const redisUrl = process.env.REDIS_URL;

const http = createServer();
const options = {};
if (redisUrl) {
  const { Redis } = await import('ioredis');
  const { createShardedAdapter } = await import('@socket.io/redis-adapter');
  const pub = new Redis(redisUrl);
  const sub = new Redis(redisUrl);
  for (const client of [pub, sub]) client.on('error', (error) => console.error(`redis: ${error.message}`));
  options.adapter = createShardedAdapter(pub, sub);
}
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
io.on('connection', (socket) => {
  socket.on('bench:echo', (body, ack) => {
    if (typeof ack === 'function') ack({ ok: true, data: body });
  });
  socket.on('chat:join', (body, ack) => {
    socket.join(`chat:${body.roomId}`);
    if (typeof ack === 'function') ack({ ok: true, data: { roomId: body.roomId } });
  });
  socket.on('chat:send', (body, ack) => {
    const message = { id: `${Date.now()}-${++sequence}`, roomId: body.roomId, userId: socket.data.user.userId, text: body.text, sentAt: new Date().toISOString() };
    socket.to(`chat:${body.roomId}`).emit('chat:message', message);
    if (typeof ack === 'function') ack({ ok: true, data: message });
  });
});

http.listen(Number(env('PORT', '0')), '127.0.0.1', () => ready(http.address().port));

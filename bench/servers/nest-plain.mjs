// A plain NestJS gateway, what most Nest apps have today: one
// `@SubscribeMessage` handler per event on Nest's default IoAdapter, and the
// same JWT checked with jsonwebtoken in an `io.use` middleware registered in
// `afterInit` (guards on the handshake never run). With REDIS_URL (one
// redis-server) or REDIS_CLUSTER_NODES (a Redis Cluster's seed nodes), an
// IoAdapter subclass plugs in the same sharded Redis adapter as the project's app.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import jwt from 'jsonwebtoken';
import { env, ready } from './control.mjs';
import { decorateClass, decorateMethod, param, paramTypes } from './decorate.mjs';
import { shardedRedisAdapter } from './redis.mjs';

const secret = env('JWT_SECRET');

function authenticate(socket, next) {
  try {
    const claims = jwt.verify(socket.handshake.auth?.token ?? '', secret, { algorithms: ['HS256'] });
    socket.data.user = { userId: claims.sub, claims };
    next();
  } catch {
    const error = new Error('UNAUTHORIZED');
    error.data = { code: 'UNAUTHORIZED', message: 'The token is not valid' };
    next(error);
  }
}

let sequence = 0;

class BenchGateway {
  afterInit(server) {
    server.use(authenticate);
  }

  echo(body) {
    return { ok: true, data: body };
  }

  join(body, socket) {
    socket.join(`chat:${body.roomId}`);
    return { ok: true, data: { roomId: body.roomId } };
  }

  send(body, socket) {
    const message = {
      id: `${Date.now()}-${++sequence}`,
      roomId: body.roomId,
      userId: socket.data.user.userId,
      text: body.text,
      sentAt: new Date().toISOString(),
    };
    socket.to(`chat:${body.roomId}`).emit('chat:message', message);
    return { ok: true, data: message };
  }
}
decorateMethod(BenchGateway, 'echo', SubscribeMessage('bench:echo'), param(0, MessageBody()), paramTypes(Object));
decorateMethod(
  BenchGateway,
  'join',
  SubscribeMessage('chat:join'),
  param(0, MessageBody()),
  param(1, ConnectedSocket()),
  paramTypes(Object, Object),
);
decorateMethod(
  BenchGateway,
  'send',
  SubscribeMessage('chat:send'),
  param(0, MessageBody()),
  param(1, ConnectedSocket()),
  paramTypes(Object, Object),
);
decorateClass(BenchGateway, WebSocketGateway());

class BenchModule {}
decorateClass(BenchModule, Module({ providers: [BenchGateway] }));

class ShardedRedisIoAdapter extends IoAdapter {
  constructor(app, adapter) {
    super(app);
    this.redisAdapter = adapter;
  }

  createIOServer(port, options) {
    return super.createIOServer(port, { ...options, adapter: this.redisAdapter });
  }
}

const app = await NestFactory.create(BenchModule, { logger: ['error', 'warn', 'log'] });
const redisAdapter = await shardedRedisAdapter();
if (redisAdapter) app.useWebSocketAdapter(new ShardedRedisIoAdapter(app, redisAdapter));
await app.listen(Number(env('PORT', '0')), '127.0.0.1');
ready(app.getHttpServer().address().port);

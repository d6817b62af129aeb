// The app's own test, written with the package's testing kit and node's test runner.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collect, request, settle, startTestApp } from 'nest-realtime/testing';
import { TodoModule } from '../dist/todo/todo.module.js';

let server;
before(async () => {
  server = await startTestApp({ imports: [TodoModule] });
});
after(() => server?.close());

test('todo:add replies with the todo and pushes it to the user', async () => {
  const phone = await server.connect('alice');
  const laptop = await server.connect('alice');
  const added = collect(laptop, 'todo:added');
  const reply = await request(phone, 'todo:add', { title: 'milk' });
  assert.equal(reply.ok, true);
  assert.equal(reply.data.title, 'milk');
  assert.equal(typeof reply.data.id, 'string');
  await settle(laptop);
  assert.deepEqual(added, [reply.data]);
});

test('todo:add refuses a bad body', async () => {
  const socket = await server.connect('bob');
  const reply = await request(socket, 'todo:add', { title: '' });
  assert.equal(reply.ok, false);
  assert.equal(reply.error.code, 'BAD_REQUEST');
});

test('todo:fail answers FORBIDDEN', async () => {
  const socket = await server.connect('carol');
  const reply = await request(socket, 'todo:fail', {});
  assert.equal(reply.ok, false);
  assert.equal(reply.error.code, 'FORBIDDEN');
});

import { randomUUID } from 'node:crypto';
import {
  ConnectedSocket,
  ConnectionManager,
  CurrentUser,
  MessageBody,
  OnMessage,
  RealtimeEmitter,
  RealtimeException,
  RealtimeHandler,
  type AuthenticatedUser,
  type RealtimeSocket,
} from 'nest-realtime';
import { todoContract } from './todo.contract.js';
import { addTodoSchema, type AddTodo, type Todo } from './todo.schemas.js';

@RealtimeHandler({ contract: todoContract })
export class TodoHandlers {
  constructor(
    private readonly emitter: RealtimeEmitter,
    private readonly connections: ConnectionManager,
  ) {}

  @OnMessage('todo:add')
  add(@MessageBody({ schema: addTodoSchema }) body: AddTodo, @CurrentUser() user: AuthenticatedUser): Todo {
    // No state of its own to key by user: toUser names the user's room in the caller's tenant, so no scopedKey is needed.
    const todo: Todo = { id: randomUUID(), title: body.title };
    this.emitter.toUser(user.userId).emit('todo:added', todo);
    return todo;
  }

  @OnMessage('todo:devices')
  async devices(@CurrentUser() user: AuthenticatedUser): Promise<{ sockets: number }> {
    return { sockets: (await this.connections.getSockets(user.userId)).length };
  }

  @OnMessage('todo:fail')
  fail(@ConnectedSocket() socket: RealtimeSocket): never {
    throw new RealtimeException('FORBIDDEN', `not for ${socket.data.user.userId}`);
  }
}

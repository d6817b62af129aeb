import { Module } from '@nestjs/common';
import { TodoHandlers } from './todo.handlers.js';

@Module({ providers: [TodoHandlers] })
export class TodoModule {}

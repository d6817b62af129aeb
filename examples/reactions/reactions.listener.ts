import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { RealtimeEmitter } from 'nest-realtime';
import { chatRoom } from 'nest-realtime/chat';
import type { ReactionCount } from './reactions.schemas.js';
import { ReactionEvents } from './reactions.service.js';

/** The bridge from the domain event to the wire: an explicit listener, targeted pushes. */
@Injectable()
export class ReactionsPushListener {
  constructor(private readonly emitter: RealtimeEmitter) {}

  @OnEvent(ReactionEvents.changed)
  push(change: ReactionCount): void {
    // Everyone in the room, on every node, and the reacting user's other devices, even outside the room.
    this.emitter.toRoom(chatRoom(change.roomId)).emit('reactions:updated', change);
    this.emitter.toUser(change.userId).except(chatRoom(change.roomId)).emit('reactions:updated', change);
  }
}

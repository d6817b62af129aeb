import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { RealtimeEmitter, rooms } from '../../src/core/websocket/index.js';
import type { ReactionCount } from './reactions.schemas.js';
import { ReactionEvents } from './reactions.service.js';

/** The bridge from the domain event to the wire: an explicit listener, targeted pushes. */
@Injectable()
export class ReactionsPushListener {
  constructor(private readonly emitter: RealtimeEmitter) {}

  @OnEvent(ReactionEvents.changed)
  push(change: ReactionCount): void {
    // Everyone in the room, on every node, and the reacting user's other devices, even outside the room.
    this.emitter.toRoom(rooms.chat(change.roomId)).emit('reactions:updated', change);
    this.emitter.toUser(change.userId).except(rooms.chat(change.roomId)).emit('reactions:updated', change);
  }
}

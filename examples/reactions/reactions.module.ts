import { Module } from '@nestjs/common';
import { JoinedRoomReactionPolicy, ReactionPolicy } from './reaction.policy.js';
import { ReactionsHandlers } from './reactions.handlers.js';
import { ReactionsPushListener } from './reactions.listener.js';
import { ReactionsService } from './reactions.service.js';

/** Emoji reactions to chat messages. The gateway never hears of it: the router finds its handlers. */
@Module({
  providers: [{ provide: ReactionPolicy, useClass: JoinedRoomReactionPolicy }, ReactionsService, ReactionsHandlers, ReactionsPushListener],
})
export class ReactionsModule {}

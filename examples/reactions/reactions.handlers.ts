import { ConnectedSocket, MessageBody, OnMessage, RealtimeHandler, type RealtimeSocket } from 'nest-realtime';
import { reactionsContract } from './reactions.contract.js';
import { reactionSchema, type ReactionBody } from './reactions.schemas.js';
import { ReactionsService } from './reactions.service.js';

/** The wire events: validation by schema, the rules in ReactionsService. */
@RealtimeHandler({ contract: reactionsContract })
export class ReactionsHandlers {
  constructor(private readonly reactions: ReactionsService) {}

  @OnMessage('reactions:add')
  add(@MessageBody({ schema: reactionSchema }) body: ReactionBody, @ConnectedSocket() socket: RealtimeSocket) {
    return this.reactions.add(socket, body);
  }

  @OnMessage('reactions:remove')
  remove(@MessageBody({ schema: reactionSchema }) body: ReactionBody, @ConnectedSocket() socket: RealtimeSocket) {
    return this.reactions.remove(socket, body);
  }
}

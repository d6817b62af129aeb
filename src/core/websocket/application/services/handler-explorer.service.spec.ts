import { Injectable, Scope } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { OnMessage, RealtimeHandler } from '../../api/decorators/realtime-handler.decorator.js';
import { HandlerExplorer } from './handler-explorer.service.js';

@RealtimeHandler()
class ChatLike {
  @OnMessage('chat:join')
  join() {}
  @OnMessage('chat:leave')
  leave() {}
  helper() {}
}

@Injectable()
class NotAHandler {
  @OnMessage('ignored:event')
  method() {}
}

async function explore(...providers: Array<new () => unknown>) {
  const moduleRef = await Test.createTestingModule({ imports: [DiscoveryModule], providers: [HandlerExplorer, ...providers] }).compile();
  return moduleRef.get(HandlerExplorer).explore();
}

describe('HandlerExplorer', () => {
  it('finds every @OnMessage method of @RealtimeHandler providers, and nothing else', async () => {
    const found = await explore(ChatLike, NotAHandler);
    expect(found.map(({ event, methodName, name }) => ({ event, methodName, name }))).toEqual([
      { event: 'chat:join', methodName: 'join', name: 'ChatLike.join' },
      { event: 'chat:leave', methodName: 'leave', name: 'ChatLike.leave' },
    ]);
    expect(found[0]!.instance).toBeInstanceOf(ChatLike);
  });

  it('refuses a request-scoped handler class', async () => {
    @Injectable({ scope: Scope.REQUEST })
    @RealtimeHandler()
    class Scoped {
      @OnMessage('scoped:event')
      handle() {}
    }
    await expect(explore(Scoped)).rejects.toThrow('Scoped is request- or transient-scoped');
  });
});

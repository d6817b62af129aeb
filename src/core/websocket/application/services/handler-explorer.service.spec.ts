import { Injectable, Scope } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { OnMessage, RealtimeHandler } from '../../api/decorators/realtime-handler.decorator.js';
import { z } from 'zod';
import { defineContract } from '../../domain/contract.js';
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
  return moduleRef.get(HandlerExplorer).explore().handlers;
}

const pingContract = defineContract({ requests: {}, pushes: { 'ping:pong': { summary: 'A pong', payload: z.object({}) } } });

@RealtimeHandler({ contract: pingContract })
class PushOnly {}

@RealtimeHandler({ contract: pingContract })
class SameContractAgain {}

describe('HandlerExplorer', () => {
  it('collects the contracts handler classes declare, each once, even from a class with no @OnMessage method', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [HandlerExplorer, ChatLike, PushOnly, SameContractAgain],
    }).compile();
    const { handlers, contracts } = moduleRef.get(HandlerExplorer).explore();
    expect(contracts).toEqual([pingContract]);
    expect(handlers.map((handler) => handler.event)).toEqual(['chat:join', 'chat:leave']);
  });

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

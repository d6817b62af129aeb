import { ConsoleLogger, ForbiddenException, Logger, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { lastValueFrom, of, throwError } from 'rxjs';
import type { RealtimeSocket } from '../../application/interfaces/realtime-socket.interface.js';
import { WsLoggingInterceptor } from './ws-logging.interceptor.js';

const socket = { id: 'socket-1', data: { user: { userId: 'alice' } } } as unknown as RealtimeSocket;

/** A logger at `debug` that keeps the lines it is given. */
function debugLines(): unknown[] {
  const lines: unknown[] = [];
  const logger = new ConsoleLogger({ logLevels: ['log', 'debug'] });
  logger.debug = (message: unknown) => void lines.push(message);
  Logger.overrideLogger(logger);
  return lines;
}

/** What Nest hands an interceptor for a WebSocket handler: `[socket, body, event]`. */
function wsContext(event: string): ExecutionContext {
  const args = [socket, {}, event];
  return {
    switchToWs: () => ({ getClient: () => args[0], getData: () => args[1], getPattern: () => args[2] }),
  } as unknown as ExecutionContext;
}

describe('WsLoggingInterceptor', () => {
  afterEach(() => Logger.overrideLogger(false));

  it("asks Nest's logger at most once a second, and sees a level change after that", () => {
    Logger.overrideLogger(new ConsoleLogger({ logLevels: ['log'] }));
    const logging = new WsLoggingInterceptor();
    expect(logging.enabledAt(0)).toBe(false);
    Logger.overrideLogger(new ConsoleLogger({ logLevels: ['log', 'debug'] }));
    expect(logging.enabledAt(999)).toBe(false);
    expect(logging.enabledAt(1000)).toBe(true);
  });

  it("writes the router's line with the envelope's outcome, never the payload", async () => {
    const lines = debugLines();
    const reply = await new WsLoggingInterceptor().around(socket, 'chat:send', async () => ({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'No' },
    }));
    expect(reply).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'No' } });
    expect(lines).toEqual([{ event: 'chat:send', userId: 'alice', socketId: 'socket-1', ms: expect.any(Number), outcome: 'FORBIDDEN' }]);
  });

  it('as a Nest interceptor, writes one line per handled event: OK, or the code its error maps to', async () => {
    const lines = debugLines();
    const logging = new WsLoggingInterceptor();
    const ok: CallHandler = { handle: () => of({ done: true }) };
    const refused: CallHandler = { handle: () => throwError(() => new ForbiddenException('Forbidden resource')) };
    await expect(lastValueFrom(logging.intercept(wsContext('billing:charge'), ok))).resolves.toEqual({ done: true });
    await expect(lastValueFrom(logging.intercept(wsContext('billing:refund'), refused))).rejects.toBeInstanceOf(ForbiddenException);
    expect(lines).toEqual([
      { event: 'billing:charge', userId: 'alice', socketId: 'socket-1', ms: expect.any(Number), outcome: 'OK' },
      { event: 'billing:refund', userId: 'alice', socketId: 'socket-1', ms: expect.any(Number), outcome: 'FORBIDDEN' },
    ]);
  });

  it('passes the handler through untouched while debug is off', () => {
    Logger.overrideLogger(new ConsoleLogger({ logLevels: ['log'] }));
    const handled = of('value');
    expect(new WsLoggingInterceptor().intercept(wsContext('billing:charge'), { handle: () => handled })).toBe(handled);
  });
});

import { EventEmitter2 } from '@nestjs/event-emitter';
import { RealtimeException } from '../errors/realtime.exception.js';
import type { AuthenticatedUser } from '../../domain/interfaces/websocket-events.interface.js';
import type { RealtimeSocket } from '../interfaces/realtime-socket.interface.js';
import type { TokenVerifier } from '../ports/token-verifier.port.js';
import { resolveWebsocketOptions } from '../../websocket.module-definition.js';
import { SessionService } from './session.service.js';

function setup(expiresInMs: number) {
  const user = { userId: 'u', expiresAt: Date.now() + expiresInMs } as AuthenticatedUser;
  const verifier = {
    deadlineOf: (u: AuthenticatedUser) => u.expiresAt,
    verify: (token: unknown) => ({ userId: 'u', expiresAt: Number(token) }) as AuthenticatedUser,
  } as unknown as TokenVerifier;
  const sessions = new SessionService(
    verifier,
    new EventEmitter2(),
    resolveWebsocketOptions({ auth: { secret: 'a-test-secret-of-at-least-32-bytes' } }),
  );
  const socket = { id: 's', connected: true, data: { user }, emit: () => true, disconnect: () => undefined } as unknown as RealtimeSocket;
  return { sessions, socket };
}

const code = (run: () => void): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as RealtimeException).code;
  }
};

describe('SessionService.assertActive', () => {
  it('checks a socket that is not armed yet against the wall clock', () => {
    expect(code(() => setup(60_000).sessions.assertActive(setup(60_000).socket))).toBeUndefined();
    const { sessions, socket } = setup(-1);
    expect(code(() => sessions.assertActive(socket))).toBe('TOKEN_EXPIRED');
  });

  it('checks an armed socket against its deadline on the monotonic clock, at the reading it is given', () => {
    const { sessions, socket } = setup(60_000);
    sessions.start(socket);
    const now = performance.now();
    expect(code(() => sessions.assertActive(socket, now))).toBeUndefined();
    expect(code(() => sessions.assertActive(socket, now + 59_000))).toBeUndefined();
    expect(code(() => sessions.assertActive(socket, now + 61_000))).toBe('TOKEN_EXPIRED');
    sessions.end(socket);
  });

  it('moves the deadline with a refreshed token', async () => {
    const { sessions, socket } = setup(1_000);
    sessions.start(socket);
    const now = performance.now();
    expect(code(() => sessions.assertActive(socket, now + 5_000))).toBe('TOKEN_EXPIRED');
    await sessions.refresh(socket, Date.now() + 60_000);
    expect(code(() => sessions.assertActive(socket, now + 5_000))).toBeUndefined();
    sessions.end(socket);
  });

  it('refuses a socket with no user', () => {
    const { sessions, socket } = setup(60_000);
    (socket.data as { user?: unknown }).user = undefined;
    expect(code(() => sessions.assertActive(socket))).toBe('UNAUTHORIZED');
  });
});

import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { RealtimeException } from '../errors/realtime.exception.js';
import { RealtimeEvents } from '../../domain/realtime-events.js';
import type { RealtimeSocket, SessionRefreshedEvent } from '../interfaces/realtime-socket.interface.js';
import { TokenVerifier } from '../ports/token-verifier.port.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { withTenant } from './tenant-of.js';

/** setTimeout's longest delay; a later deadline is reached in several steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Where an armed socket keeps its deadline, on the clock its expiry timer runs on (`performance.now()`). */
const EXPIRES = Symbol('realtime.sessionExpires');
type Armed = RealtimeSocket & { [EXPIRES]?: number };

/**
 * A socket's session: `session:ready` on connect, the token's lifetime, its
 * refresh, and `session:expired` when the lifetime passes.
 */
@Injectable()
export class SessionService {
  private readonly timers = new WeakMap<RealtimeSocket, NodeJS.Timeout>();

  private readonly tenantClaim: string | undefined;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly events: EventEmitter2,
    @Inject(WEBSOCKET_OPTIONS) options: ResolvedWebsocketOptions,
  ) {
    this.tenantClaim = options.auth.tenantClaim;
  }

  start(socket: RealtimeSocket): void {
    const { userId, expiresAt } = socket.data.user;
    socket.emit('session:ready', { userId, socketId: socket.id, expiresAt: new Date(expiresAt).toISOString() });
    this.arm(socket);
  }

  end(socket: RealtimeSocket): void {
    clearTimeout(this.timers.get(socket));
    this.timers.delete(socket);
  }

  /**
   * Throws `TOKEN_EXPIRED` once the socket's token is past its deadline. This
   * runs before every routed event: an armed socket's deadline is compared
   * with `now` (the caller's `performance.now()` reading, when it has one),
   * the clock its expiry timer runs on, so no wall-clock read is made per
   * event. A socket not armed yet (still registering) is checked against the
   * wall clock.
   */
  assertActive(socket: RealtimeSocket, now: number = performance.now()): void {
    const { user } = socket.data;
    if (!user) throw new RealtimeException('UNAUTHORIZED', 'This socket is not authenticated');
    const expires = (socket as Armed)[EXPIRES];
    const over = expires === undefined ? Date.now() > this.verifier.deadlineOf(user) : now > expires;
    if (over) throw new RealtimeException('TOKEN_EXPIRED', 'The token has expired');
  }

  /**
   * Moves the socket's expiry with a new token of the same user. Listeners of
   * `realtime.session.refreshed` (such as chat re-checking its rooms) finish
   * before this returns, so the client's reply comes after their effects.
   */
  async refresh(socket: RealtimeSocket, token: unknown): Promise<{ expiresAt: string }> {
    let user;
    try {
      user = withTenant(this.verifier.verify(token), this.tenantClaim);
    } catch {
      throw new RealtimeException('UNAUTHORIZED', 'The new token is not valid');
    }
    // A socket never changes tenant: its rooms and watch lists belong to the old one.
    if (user.userId !== socket.data.user.userId || user.tenant !== socket.data.user.tenant) {
      throw new RealtimeException('UNAUTHORIZED', 'The new token is for another user');
    }
    socket.data.user = user;
    this.arm(socket);
    const event: SessionRefreshedEvent = { socket, user };
    await this.events.emitAsync(RealtimeEvents.sessionRefreshed, event);
    return { expiresAt: new Date(user.expiresAt).toISOString() };
  }

  private arm(socket: RealtimeSocket): void {
    clearTimeout(this.timers.get(socket));
    const remaining = this.verifier.deadlineOf(socket.data.user) - Date.now();
    (socket as Armed)[EXPIRES] = performance.now() + remaining;
    // One shared callback with the socket as its argument: no closure per socket.
    const timer = setTimeout(
      remaining > MAX_TIMER_MS ? this.rearm : this.expireNow,
      Math.max(0, Math.min(remaining, MAX_TIMER_MS)),
      socket,
    );
    timer.unref();
    this.timers.set(socket, timer);
  }

  private readonly rearm = (socket: RealtimeSocket): void => this.arm(socket);
  private readonly expireNow = (socket: RealtimeSocket): void => this.expire(socket);

  private expire(socket: RealtimeSocket): void {
    this.timers.delete(socket);
    if (!socket.connected) return;
    socket.emit('session:expired', { expiredAt: new Date(socket.data.user.expiresAt).toISOString() });
    socket.disconnect(true);
  }
}

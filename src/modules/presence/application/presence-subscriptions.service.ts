import { Inject, Injectable } from '@nestjs/common';
import { ConnectionManager, RealtimeException, type RealtimeSocket, type ValidationIssue } from '../../../core/websocket/internal.js';
import { presenceRoom } from './presence-rooms.js';
import { PRESENCE_OPTIONS, type ResolvedPresenceOptions } from '../presence.options.js';

/**
 * Which users each socket watches. Watching is joining the user's presence
 * room, so an update reaches subscribers on every node through the adapter;
 * this keeps the count per socket, because a client chooses how many rooms
 * it asks for and each one costs memory on the server.
 */
@Injectable()
export class PresenceSubscriptions {
  /** Keyed by the socket itself: gone with it, like its rooms. */
  private readonly watching = new WeakMap<RealtimeSocket, Set<string>>();

  constructor(
    @Inject(PRESENCE_OPTIONS) private readonly options: ResolvedPresenceOptions,
    private readonly connections: ConnectionManager,
  ) {}

  /**
   * Joins the presence rooms of `userIds`. Past the per-socket cap the whole
   * call is refused with `BAD_REQUEST` and nothing is joined.
   */
  async subscribe(socket: RealtimeSocket, userIds: readonly string[]): Promise<void> {
    const watched = this.watching.get(socket) ?? new Set<string>();
    const added = [...new Set(userIds)].filter((userId) => !watched.has(userId));
    const limit = this.options.maxWatchedPerSocket;
    if (watched.size + added.length > limit) {
      const message = `A socket may watch at most ${limit} users; this one watches ${watched.size} and asked for ${added.length} more. Unsubscribe some first.`;
      const details: ValidationIssue[] = [{ path: 'userIds', message }];
      throw new RealtimeException('BAD_REQUEST', message, details);
    }
    if (added.length === 0) return;
    // Counted before the join yields, so two racing calls cannot both pass the cap.
    for (const userId of added) watched.add(userId);
    this.watching.set(socket, watched);
    // Once this resolves, updates published on any node reach the socket.
    await this.connections.join(
      socket,
      added.map((userId) => presenceRoom(userId)),
    );
  }

  /** Leaves the presence rooms of `userIds`; ids not watched are ignored. */
  async unsubscribe(socket: RealtimeSocket, userIds: readonly string[]): Promise<void> {
    const watched = this.watching.get(socket);
    if (!watched) return;
    for (const userId of userIds) {
      if (watched.delete(userId)) await socket.leave(presenceRoom(userId));
    }
  }

  /** How many users the socket watches. */
  countOf(socket: RealtimeSocket): number {
    return this.watching.get(socket)?.size ?? 0;
  }
}

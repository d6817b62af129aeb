import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ConnectionManager,
  KeyedQueue,
  RealtimeException,
  type AuthenticatedUser,
  type RealtimeSocket,
  type ValidationIssue,
} from '../../../core/websocket/internal.js';
import type { PresenceEntry } from '../domain/presence-entry.js';
import { presenceRoom } from './presence-rooms.js';
import { PresenceVisibilityPolicy } from '../ports/presence-visibility-policy.port.js';
import { PRESENCE_OPTIONS, type ResolvedPresenceOptions } from '../presence.options.js';
import { PresenceService } from './presence.service.js';

/** What a user hidden from the viewer reads as: exactly a user never seen. */
export function unseenEntry(userId: string): PresenceEntry {
  return { userId, status: 'offline', lastSeenAt: null };
}

/**
 * Which users each socket watches, and what a viewer may see of them.
 * Watching a user the visibility policy shows is joining their presence
 * room, so an update reaches subscribers on every node through the adapter;
 * a user it hides is watched without the room, and reads as never seen. The
 * count per socket covers both alike (a client chooses how many rooms it
 * asks for, each one costs memory on the server, and a cap that counted only
 * visible users would tell which ones are hidden).
 */
@Injectable()
export class PresenceSubscriptions {
  private readonly logger = new Logger(PresenceSubscriptions.name);
  /** Keyed by the socket itself: gone with it, like its rooms. Per watched user: whether the socket is in their room. */
  private readonly watching = new WeakMap<RealtimeSocket, Map<string, boolean>>();
  /** Per socket, its watch list changes: subscribes, unsubscribes and re-checks apply one at a time, in the order they arrived. */
  private readonly changes = new KeyedQueue<RealtimeSocket>();

  constructor(
    @Inject(PRESENCE_OPTIONS) private readonly options: ResolvedPresenceOptions,
    private readonly connections: ConnectionManager,
    private readonly presence: PresenceService,
    private readonly policy: PresenceVisibilityPolicy,
  ) {}

  /**
   * Watches `userIds` and answers their entries, in that order, each once.
   * Past the per-socket cap the whole call is refused with `BAD_REQUEST`
   * before the policy is asked; a policy that fails fails the call and
   * changes nothing. The socket joins the rooms of the users the policy shows
   * (and leaves those of watched users it no longer shows), then reads:
   * a change between the two still reaches the socket.
   */
  subscribe(socket: RealtimeSocket, userIds: readonly string[]): Promise<PresenceEntry[]> {
    const ids = [...new Set(userIds)];
    return this.changes.run(socket, async () => {
      const watched = this.watching.get(socket) ?? new Map<string, boolean>();
      const added = ids.filter((userId) => !watched.has(userId)).length;
      const limit = this.options.maxWatchedPerSocket;
      if (watched.size + added > limit) {
        const message = `A socket may watch at most ${limit} users; this one watches ${watched.size} and asked for ${added} more. Unsubscribe some first.`;
        const details: ValidationIssue[] = [{ path: 'userIds', message }];
        throw new RealtimeException('BAD_REQUEST', message, details);
      }
      const verdicts = this.verdicts(socket.data.user, ids);
      const visible = verdicts === true ? ids.map(() => true) : await verdicts;
      // A socket that disconnected while the policy answered must not come back into a room.
      if (!socket.connected) throw new RealtimeException('FORBIDDEN', 'This socket is disconnected');
      const join: string[] = [];
      ids.forEach((userId, index) => {
        const shown = visible[index]!;
        const joined = watched.get(userId);
        watched.set(userId, shown);
        if (shown && joined !== true) join.push(presenceRoom(userId));
        if (!shown && joined === true) void socket.leave(presenceRoom(userId));
      });
      this.watching.set(socket, watched);
      // Once this resolves, updates published on any node reach the socket.
      if (join.length > 0) await this.connections.join(socket, join);
      return this.masked(await this.presence.get(ids), visible);
    });
  }

  /** Leaves the presence rooms of `userIds`; ids not watched are ignored. */
  unsubscribe(socket: RealtimeSocket, userIds: readonly string[]): Promise<void> {
    return this.changes.run(socket, async () => {
      const watched = this.watching.get(socket);
      if (!watched) return;
      for (const userId of new Set(userIds)) {
        const joined = watched.get(userId);
        if (joined === undefined) continue;
        watched.delete(userId);
        if (joined) await socket.leave(presenceRoom(userId));
      }
    });
  }

  /** The entries of `userIds` as `viewer` may see them, in that order; a policy that fails fails the call. */
  query(viewer: AuthenticatedUser, userIds: readonly string[]): Promise<PresenceEntry[]> {
    let visible;
    try {
      visible = this.verdicts(viewer, userIds);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    // A policy that answers at once and shows everyone (the default does) costs the query no step.
    if (visible === true) return this.presence.get(userIds);
    return Promise.all([visible, this.presence.get(userIds)]).then(([shown, entries]) => this.masked(entries, shown));
  }

  /**
   * After `auth:refresh`: asks the policy again, with the new token, about
   * every user the socket watches. A user now hidden: the socket leaves their
   * room and gets `presence:update` with the never-seen entry. A user now
   * shown: it joins their room and gets their current entry. A policy that
   * fails counts as hidden. Never rejects: the refresh itself has succeeded.
   */
  recheck(socket: RealtimeSocket, user: AuthenticatedUser): Promise<void> {
    return this.changes.run(socket, async () => {
      const watched = this.watching.get(socket);
      if (!watched || watched.size === 0) return;
      const ids = [...watched.keys()];
      const visible = await Promise.all(ids.map((userId) => this.verdictOrHidden(user, userId)));
      const shown: string[] = [];
      ids.forEach((userId, index) => {
        const now = visible[index]!;
        if (watched.get(userId) === now) return;
        watched.set(userId, now);
        if (now) {
          shown.push(userId);
          return;
        }
        void socket.leave(presenceRoom(userId));
        socket.emit('presence:update', unseenEntry(userId));
      });
      if (shown.length === 0 || !socket.connected) return;
      try {
        await this.connections.join(
          socket,
          shown.map((userId) => presenceRoom(userId)),
        );
        for (const entry of await this.presence.get(shown)) socket.emit('presence:update', entry);
      } catch (error) {
        // The socket is in their rooms already: each one's next change reaches it.
        this.logger.warn(`Could not read the presence of ${shown.length} users now visible after a refresh: ${(error as Error).message}`);
      }
    });
  }

  /** How many users the socket watches, hidden ones included. */
  countOf(socket: RealtimeSocket): number {
    return this.watching.get(socket)?.size ?? 0;
  }

  /**
   * The policy's verdict on each id, in order, asked once per distinct id;
   * only `true` shows. `true` for all shown when every answer came at once,
   * so the common case allocates no promise.
   */
  private verdicts(viewer: AuthenticatedUser, userIds: readonly string[]): true | Promise<boolean[]> {
    const answers = new Map<string, boolean | Promise<boolean>>();
    let settled = true;
    let allShown = true;
    for (const userId of userIds) {
      if (answers.has(userId)) continue;
      const answer = this.policy.canSee(viewer, userId);
      answers.set(userId, answer);
      if (typeof answer !== 'boolean') settled = false;
      else if (!answer) allShown = false;
    }
    if (settled && allShown) return true;
    const distinct = [...answers.keys()];
    return Promise.all(distinct.map((userId) => answers.get(userId))).then((verdicts) => {
      const byId = new Map(distinct.map((userId, index) => [userId, verdicts[index] === true]));
      return userIds.map((userId) => byId.get(userId)!);
    });
  }

  /** For re-checks, which have no request to fail: a policy that fails hides. */
  private async verdictOrHidden(viewer: AuthenticatedUser, userId: string): Promise<boolean> {
    try {
      return (await this.policy.canSee(viewer, userId)) === true;
    } catch (error) {
      this.logger.error(`The presence visibility policy failed for user "${userId}"; hiding them`, (error as Error)?.stack);
      return false;
    }
  }

  private masked(entries: PresenceEntry[], visible: readonly boolean[]): PresenceEntry[] {
    return entries.map((entry, index) => (visible[index] ? entry : unseenEntry(entry.userId)));
  }
}

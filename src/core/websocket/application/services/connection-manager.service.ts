import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { RealtimeEvents, type PushesResumedEvent, type UserConnectionEvent } from '../../domain/realtime-events.js';
import { rooms } from '../../domain/rooms.js';
import { runInTenant, scopedKey, scopedKeyOf, splitScopedKey } from '../../domain/tenancy.js';
import type { RealtimeSocket } from '../interfaces/realtime-socket.interface.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { ConnectionRegistry, type ConnectionEntry } from '../ports/connection-registry.port.js';
import { RoomSubscriptions } from '../ports/room-subscriptions.port.js';
import { SocketServerHost } from './socket-server.host.js';

/**
 * Knows every user's sockets across tabs, devices and nodes. A socket is
 * admitted during the handshake (so the per-user cap is exact), joins its
 * user room when connected, and is removed on disconnect. The user's first
 * and last socket anywhere raise `realtime.user.connected` / `.disconnected`;
 * the node's pushes resuming after a lost Redis subscriber, `realtime.pushes.resumed`.
 */
@Injectable()
export class ConnectionManager {
  private readonly logger = new Logger(ConnectionManager.name);
  /**
   * Admitted sockets not connected yet, with the hook that gives their place
   * back if the transport closes first. Each leaves on connect or on close.
   */
  private readonly pending = new Map<RealtimeSocket, () => void>();
  /** Sockets whose registry add is on its way: live too, for a resync that runs meanwhile. */
  private readonly admitting = new Set<RealtimeSocket>();
  /** Resyncs started so far: an admission that saw one start knows the registry may hold its socket. */
  private resyncs = 0;
  /** A registry call failed (Redis unreachable): the registry's view of this node is wrong until `resync()`. */
  private stale = false;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly host: SocketServerHost,
    private readonly events: EventEmitter2,
    private readonly subscriptions: RoomSubscriptions,
    @Inject(WEBSOCKET_OPTIONS) private readonly options: ResolvedWebsocketOptions,
  ) {
    subscriptions.onResumed((since) => {
      const event: PushesResumedEvent = { since };
      this.events.emit(RealtimeEvents.pushesResumed, event);
    });
  }

  /**
   * Counts the socket against its user's cap; false when the cap is reached.
   * When the registry is unreachable (a Redis outage) the socket is admitted
   * on this node alone, and `resync()` counts it once the registry is back.
   */
  async admit(socket: RealtimeSocket): Promise<boolean> {
    let result;
    const resyncsBefore = this.resyncs;
    this.admitting.add(socket);
    try {
      result = await this.registry.add(this.entryOf(socket), this.options.maxConnectionsPerUser);
    } catch (error) {
      this.logger.warn(`Registry unreachable, admitting ${socket.id} on this node only: ${(error as Error).message}`);
      this.stale = true;
      result = { admitted: true, count: 0 };
    } finally {
      this.admitting.delete(socket);
    }
    const { admitted, count } = result;
    if (!admitted) {
      // A resync that ran meanwhile counted it as live and may have written it: take it out again.
      if (this.resyncs !== resyncsBefore) await this.registry.remove(this.entryOf(socket)).catch(() => (this.stale = true));
      return false;
    }
    if (count === 1) this.publish(RealtimeEvents.userConnected, this.keyOf(socket));
    // A transport that closes before Socket.IO connects the socket brings no
    // disconnect event, so the place is given back when the transport closes.
    const release = (): void => {
      if (!this.pending.delete(socket)) return;
      void this.unregister(socket);
    };
    this.pending.set(socket, release);
    // It may have closed while the registry answered: then 'close' is already past.
    if (socket.conn.readyState === 'closed') release();
    else socket.conn.once('close', release);
    return true;
  }

  /**
   * A connected socket joins its user's room, through which every push to the
   * user travels. Resolves once pushes from every node reach it.
   */
  register(socket: RealtimeSocket): Promise<void> {
    const release = this.pending.get(socket);
    if (release) {
      socket.conn.off('close', release);
      this.pending.delete(socket);
    }
    const { tenant, userId } = socket.data.user;
    return this.join(socket, runInTenant(tenant, rooms.user, userId));
  }

  /**
   * Puts the socket in a room or rooms (named by their owner's helper) and resolves once pushes to
   * that room from every node reach it: with Redis, the node's subscription
   * to a room it had no socket in is confirmed first. Feature modules join
   * rooms through this before they answer a join.
   */
  async join(socket: RealtimeSocket, room: string | string[]): Promise<void> {
    socket.join(room);
    await this.subscriptions.subscriptionsSettled();
  }

  /** Idempotent: a socket that never finished connecting and then disconnected is removed once. */
  async unregister(socket: RealtimeSocket): Promise<void> {
    if (!socket.data.user) return;
    try {
      const { removed, count } = await this.registry.remove(this.entryOf(socket));
      if (removed && count === 0) this.publish(RealtimeEvents.userDisconnected, this.keyOf(socket));
    } catch (error) {
      this.stale = true;
      this.logger.error(
        `Could not unregister socket ${socket.id}; the registry is put right when it answers again`,
        (error as Error).stack,
      );
    }
  }

  /** True after a registry call failed: the next `resync()` puts the registry right. */
  get needsResync(): boolean {
    return this.stale;
  }

  /**
   * Makes the registry's view of this node equal to its live sockets, after
   * the registry lost or missed changes (a Redis outage, a restart, or this
   * node being declared dead while it was only slow), and announces the
   * users whose count moved to or from zero. False when the socket server is
   * not started yet, so there was nothing to compare.
   */
  async resync(): Promise<boolean> {
    if (!this.host.started) return false;
    // Sockets still in their handshake are live too, those whose add is on its way included:
    // dropping them would lose their place for good (their add may land before this resync).
    this.resyncs++;
    const live = new Set([...this.host.server.of('/').sockets.values(), ...this.pending.keys(), ...this.admitting]);
    const entries = [...live].filter((socket) => socket.data.user).map((socket) => this.entryOf(socket));
    this.stale = false;
    let result;
    try {
      result = await this.registry.syncNode(this.options.nodeId, entries);
    } catch (error) {
      this.stale = true;
      throw error;
    }
    const { connected, disconnected } = result;
    for (const key of connected) this.publish(RealtimeEvents.userConnected, key);
    this.announceGone(disconnected);
    if (connected.length + disconnected.length > 0) {
      this.logger.log(`Registry resynced: ${connected.length} users back, ${disconnected.length} gone`);
    }
    return true;
  }

  /** Removes this node's sockets from the registry (draining), announcing the users left with none. */
  async leaveCluster(): Promise<void> {
    this.announceGone(await this.registry.removeNode(this.options.nodeId));
  }

  /** Announces users that have no socket anywhere any more (after a node's sockets were removed), by their registry keys. */
  announceGone(keys: readonly string[]): void {
    for (const key of keys) this.publish(RealtimeEvents.userDisconnected, key);
  }

  /** The user's sockets on every node (the user of the current tenant). */
  async getSockets(userId: string): Promise<ConnectionEntry[]> {
    const key = scopedKey(userId);
    const entries = await this.registry.socketsOf(key);
    return key === userId ? entries : entries.map((entry) => ({ ...entry, userId }));
  }

  /** True while the user (of the current tenant) has a socket anywhere. */
  async isOnline(userId: string): Promise<boolean> {
    return (await this.registry.countOf(scopedKey(userId))) > 0;
  }

  /** Of this node's `sockets`, those whose user has a socket on another node (a draining node's clients that arrived). */
  async elsewhere(sockets: readonly RealtimeSocket[]): Promise<RealtimeSocket[]> {
    // One look per user, however many of the user's tabs are moving.
    const keys = sockets.map((socket) => this.keyOf(socket));
    const looks = new Map<string, Promise<boolean>>();
    for (const key of new Set(keys)) {
      looks.set(
        key,
        this.registry.socketsOf(key).then((entries) => entries.some((entry) => entry.nodeId !== this.options.nodeId)),
      );
    }
    const found = await Promise.all(keys.map((key) => looks.get(key)!));
    return sockets.filter((_, index) => found[index]);
  }

  /** Sockets connected on every node. */
  countConnections(): Promise<number> {
    return this.registry.countAll();
  }

  /** Closes every socket of the user, on every node. */
  disconnectUser(userId: string): void {
    this.host.server.in(rooms.user(userId)).disconnectSockets(true);
  }

  /**
   * The registry holds each socket under its user's key, the user id scoped to
   * the socket's tenant (`scopedKeyOf`), so the same id in two tenants is two
   * users, each with its own cap.
   */
  private entryOf(socket: RealtimeSocket): ConnectionEntry {
    return { socketId: socket.id, userId: this.keyOf(socket), nodeId: this.options.nodeId };
  }

  private keyOf(socket: RealtimeSocket): string {
    const { tenant, userId } = socket.data.user;
    return scopedKeyOf(tenant, userId);
  }

  /** Raised in the user's tenant scope. A throwing listener must not undo the registry change that raised the event. */
  private publish(event: string, key: string): void {
    const { tenant, id: userId } = splitScopedKey(key);
    const payload: UserConnectionEvent = tenant === undefined ? { userId, at: Date.now() } : { userId, tenant, at: Date.now() };
    try {
      runInTenant(tenant, () => this.events.emit(event, payload));
    } catch (error) {
      this.logger.error(`A listener of ${event} failed`, (error as Error).stack);
    }
  }
}

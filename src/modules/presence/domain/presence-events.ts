/**
 * In-process domain events of the presence module, on EventEmitter2. Only the
 * transitions between offline and connected are published: `away` and `busy`
 * are a display matter, not something other modules act on.
 *
 * @example
 * @OnEvent(PresenceEvents.offline)
 * onOffline({ userId, at }: PresenceChangedEvent) {}
 */
export const PresenceEvents = {
  /** The user was offline (or never seen) and now has a socket: `PresenceChangedEvent`. */
  online: 'presence.online',
  /** The user's last socket left and none came back within the grace period: `PresenceChangedEvent`. */
  offline: 'presence.offline',
} as const;

export interface PresenceChangedEvent {
  userId: string;
  /** The user's tenant, with tenants configured; listeners run in its scope. */
  tenant?: string;
  /** Epoch milliseconds of the transition (for `offline`: when the last socket left), like the core's `UserConnectionEvent`. */
  at: number;
}

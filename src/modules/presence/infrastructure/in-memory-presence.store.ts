import { Injectable } from '@nestjs/common';
import type { PresenceEntry, PresenceStatus, SettableStatus } from '../domain/presence-entry.js';
import { PresenceStore } from '../ports/presence-store.port.js';

interface StoredPresence {
  status: PresenceStatus;
  since: number;
}

/**
 * The embedded store: one process, nothing shared. It keeps one small record
 * per user that ever connected to this node (so offline users keep their
 * `lastSeenAt`); ids clients merely ask about are never stored.
 */
@Injectable()
export class InMemoryPresenceStore extends PresenceStore {
  private readonly byUser = new Map<string, StoredPresence>();

  async get(userIds: readonly string[]): Promise<PresenceEntry[]> {
    return userIds.map((userId) => this.entryOf(userId));
  }

  async markOnline(userId: string, at: number): Promise<PresenceEntry | null> {
    const current = this.byUser.get(userId);
    if (current && current.status !== 'offline') return null;
    return this.write(userId, 'online', at);
  }

  async markOffline(userId: string, at: number): Promise<PresenceEntry | null> {
    const current = this.byUser.get(userId);
    if (!current || current.status === 'offline') return null;
    return this.write(userId, 'offline', at);
  }

  async setStatus(userId: string, status: SettableStatus, at: number): Promise<PresenceEntry | null> {
    const current = this.byUser.get(userId);
    if (!current || current.status === 'offline' || current.status === status) return null;
    return this.write(userId, status, at);
  }

  private write(userId: string, status: PresenceStatus, at: number): PresenceEntry {
    this.byUser.set(userId, { status, since: at });
    return this.entryOf(userId);
  }

  private entryOf(userId: string): PresenceEntry {
    const stored = this.byUser.get(userId);
    return stored
      ? { userId, status: stored.status, lastSeenAt: new Date(stored.since).toISOString() }
      : { userId, status: 'offline', lastSeenAt: null };
  }
}

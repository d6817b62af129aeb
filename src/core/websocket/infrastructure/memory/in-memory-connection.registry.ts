import { Injectable } from '@nestjs/common';
import { ConnectionRegistry, type ConnectionEntry } from '../../application/ports/connection-registry.port.js';

/** The embedded registry: one process, nothing shared. Every method runs to completion without yielding, so each is atomic. */
@Injectable()
export class InMemoryConnectionRegistry extends ConnectionRegistry {
  private readonly byUser = new Map<string, Map<string, ConnectionEntry>>();
  private total = 0;

  async add(entry: ConnectionEntry, maxPerUser: number): Promise<{ admitted: boolean; count: number }> {
    return this.addNow(entry, maxPerUser);
  }

  async remove(entry: ConnectionEntry): Promise<{ removed: boolean; count: number }> {
    return this.removeNow(entry);
  }

  async socketsOf(userId: string): Promise<ConnectionEntry[]> {
    return [...(this.byUser.get(userId)?.values() ?? [])].map((entry) => ({ ...entry }));
  }

  async countOf(userId: string): Promise<number> {
    return this.byUser.get(userId)?.size ?? 0;
  }

  async countAll(): Promise<number> {
    return this.total;
  }

  async removeNode(nodeId: string): Promise<string[]> {
    return this.dropNode(nodeId, () => true);
  }

  async syncNode(nodeId: string, entries: ConnectionEntry[]): Promise<{ connected: string[]; disconnected: string[] }> {
    const live = new Set(entries.map((entry) => entry.socketId));
    const disconnected = this.dropNode(nodeId, (entry) => !live.has(entry.socketId));
    const connected = new Set<string>();
    for (const entry of entries) {
      const { admitted, count } = this.addNow({ ...entry, nodeId }, Number.POSITIVE_INFINITY, true);
      if (admitted && count === 1) connected.add(entry.userId);
    }
    return { connected: [...connected], disconnected };
  }

  /** `fresh` reports admitted only for a socket that was not there before. */
  private addNow(entry: ConnectionEntry, maxPerUser: number, fresh = false): { admitted: boolean; count: number } {
    let sockets = this.byUser.get(entry.userId);
    if (sockets?.has(entry.socketId)) return { admitted: !fresh, count: sockets.size };
    if (sockets && sockets.size >= maxPerUser) return { admitted: false, count: sockets.size };
    if (!sockets) this.byUser.set(entry.userId, (sockets = new Map()));
    sockets.set(entry.socketId, { ...entry });
    this.total++;
    return { admitted: true, count: sockets.size };
  }

  private removeNow(entry: ConnectionEntry): { removed: boolean; count: number } {
    const sockets = this.byUser.get(entry.userId);
    if (!sockets?.delete(entry.socketId)) return { removed: false, count: sockets?.size ?? 0 };
    this.total--;
    if (sockets.size === 0) this.byUser.delete(entry.userId);
    return { removed: true, count: sockets.size };
  }

  private dropNode(nodeId: string, drop: (entry: ConnectionEntry) => boolean): string[] {
    const gone: string[] = [];
    for (const sockets of [...this.byUser.values()]) {
      for (const entry of [...sockets.values()]) {
        if (entry.nodeId !== nodeId || !drop(entry)) continue;
        const { removed, count } = this.removeNow(entry);
        if (removed && count === 0) gone.push(entry.userId);
      }
    }
    return gone;
  }
}

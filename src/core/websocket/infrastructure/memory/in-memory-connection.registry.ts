import { Injectable } from '@nestjs/common';
import { ConnectionRegistry, type ConnectionEntry } from '../../application/ports/connection-registry.port.js';

/** The embedded registry: one process, nothing shared. */
@Injectable()
export class InMemoryConnectionRegistry extends ConnectionRegistry {
  private readonly byUser = new Map<string, Map<string, ConnectionEntry>>();
  private total = 0;

  async add(entry: ConnectionEntry, maxPerUser: number): Promise<{ admitted: boolean; count: number }> {
    let sockets = this.byUser.get(entry.userId);
    if (sockets?.has(entry.socketId)) return { admitted: true, count: sockets.size };
    if (sockets && sockets.size >= maxPerUser) return { admitted: false, count: sockets.size };
    if (!sockets) this.byUser.set(entry.userId, (sockets = new Map()));
    sockets.set(entry.socketId, { ...entry });
    this.total++;
    return { admitted: true, count: sockets.size };
  }

  async remove(entry: ConnectionEntry): Promise<{ removed: boolean; count: number }> {
    const sockets = this.byUser.get(entry.userId);
    if (!sockets?.delete(entry.socketId)) return { removed: false, count: sockets?.size ?? 0 };
    this.total--;
    if (sockets.size === 0) this.byUser.delete(entry.userId);
    return { removed: true, count: sockets.size };
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
}

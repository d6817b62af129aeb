import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';
import type { RealtimePushEvents, SocketData } from '../../domain/interfaces/websocket-events.interface.js';

export type RealtimeServer = Server<Record<string, (...args: any[]) => void>, RealtimePushEvents, Record<string, never>, SocketData>;

/** Holds the Socket.IO server once the gateway has it, so services never inject the gateway. */
@Injectable()
export class SocketServerHost {
  private current?: RealtimeServer;

  attach(server: RealtimeServer): void {
    this.current = server;
  }

  get server(): RealtimeServer {
    if (!this.current) throw new Error('The realtime server is not started: call app.init() or app.listen() first');
    return this.current;
  }

  get started(): boolean {
    return this.current !== undefined;
  }
}

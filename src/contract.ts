import { sessionContract, type ClientEventsOf, type ServerEventsOf } from './core/websocket/index.js';
import { chatContract } from './modules/chat/chat.contract.js';
import { notificationsContract } from './modules/notifications/notifications.contract.js';
import { presenceContract } from './modules/presence/presence.contract.js';

/** Every module's wire contract: the source of the client types and of the AsyncAPI document. */
export const contracts = [sessionContract, chatContract, presenceContract, notificationsContract] as const;

/** The whole app's contract, as one. */
export interface AppContract {
  requests: typeof sessionContract.requests & typeof chatContract.requests & typeof presenceContract.requests & typeof notificationsContract.requests;
  pushes: typeof sessionContract.pushes & typeof chatContract.pushes & typeof presenceContract.pushes & typeof notificationsContract.pushes;
}

/**
 * Socket.IO's typed maps for a client of this server:
 * `const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url)`
 * checks event names, bodies, ack replies and push payloads.
 */
export type ClientToServerEvents = ClientEventsOf<AppContract>;
export type ServerToClientEvents = ServerEventsOf<AppContract>;
export type RequestEvent = keyof AppContract['requests'] & string;
export type PushEvent = keyof AppContract['pushes'] & string;

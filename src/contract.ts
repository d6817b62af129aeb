// Straight from the contract files, not the core's index: this file's declarations stay free of Nest and socket.io.
import { sessionContract } from './core/websocket/api/session.contract.js';
import type { ClientEventsOf, MergeContracts, ServerEventsOf } from './core/websocket/domain/contract.js';
import { chatContract } from './modules/chat/chat.contract.js';
import { notificationsContract } from './modules/notifications/notifications.contract.js';
import { presenceContract } from './modules/presence/presence.contract.js';

/** Every module's wire contract: the source of the client types and of the AsyncAPI document. */
export const contracts = [sessionContract, chatContract, presenceContract, notificationsContract] as const;

/** The whole app's contract, as one (derived from `contracts`, so the two cannot disagree). */
export type AppContract = MergeContracts<typeof contracts>;

/**
 * Socket.IO's typed maps for a client of this server:
 * `const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url)`
 * checks event names, bodies, ack replies and push payloads.
 */
export type ClientToServerEvents = ClientEventsOf<AppContract>;
export type ServerToClientEvents = ServerEventsOf<AppContract>;
export type RequestEvent = keyof AppContract['requests'] & string;
export type PushEvent = keyof AppContract['pushes'] & string;

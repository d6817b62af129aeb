// Type-only imports of the wire contracts: their declarations reach zod and nothing else,
// so an app's bundle pulls in no server code and its type checker no Nest.
import type { sessionContract } from '../core/websocket/api/session.contract.js';
import type { ClientEventsOf, MergeContracts, RealtimeContract, ServerEventsOf } from '../core/websocket/domain/contract.js';
import type { chatContract } from '../modules/chat/chat.contract.js';
import type { notificationsContract } from '../modules/notifications/notifications.contract.js';
import type { presenceContract } from '../modules/presence/presence.contract.js';

export type { Envelope, ErrorBody } from '../core/websocket/domain/interfaces/envelope.js';
export type { ErrorCode } from '../core/websocket/domain/errors/error-code.js';
export type { MergeContracts, PushPayload, RealtimeContract, ReplyData, RequestBody } from '../core/websocket/domain/contract.js';

/** The core's own events: `auth:refresh`, `session:ready`, `session:expired`, `server:shutdown`, `exception`. */
export type SessionContract = typeof sessionContract;
/** The `chat:*` events. */
export type ChatContract = typeof chatContract;
/** The `presence:*` events. */
export type PresenceContract = typeof presenceContract;
/** The `notification` push. */
export type NotificationsContract = typeof notificationsContract;

/**
 * Every event the package's own modules speak: what a client of a server
 * with chat, presence and notifications can send and receive. Merge an app's
 * own contracts into it with `MergeContracts`.
 *
 * @example
 * type AppContract = MergeContracts<[BuiltInContract, typeof todoContract]>;
 */
export type BuiltInContract = MergeContracts<[SessionContract, ChatContract, PresenceContract, NotificationsContract]>;

/** The built-in contract under its earlier name. */
export type AppContract = BuiltInContract;

/**
 * Socket.IO's typed client-to-server map: every request with its body and its ack's envelope.
 *
 * @example
 * const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, { auth: { token } });
 * const reply = await socket.emitWithAck('chat:join', { roomId: 'lobby' }); // Envelope<{ roomId: string }>
 */
export type ClientToServerEvents<C extends RealtimeContract = BuiltInContract> = ClientEventsOf<C>;
/** Socket.IO's typed server-to-client map: every push with its payload. See `ClientToServerEvents`. */
export type ServerToClientEvents<C extends RealtimeContract = BuiltInContract> = ServerEventsOf<C>;
/** The name of any request of contract `C`. */
export type RequestEvent<C extends RealtimeContract = BuiltInContract> = keyof C['requests'] & string;
/** The name of any push of contract `C`. */
export type PushEvent<C extends RealtimeContract = BuiltInContract> = keyof C['pushes'] & string;

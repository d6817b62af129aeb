export { createRealtimeClient, RealtimeRequestError, type RealtimeClient, type RealtimeClientOptions, type TypedSocket } from './realtime-client.js';
export type { AppContract, ClientToServerEvents, PushEvent, RequestEvent, ServerToClientEvents } from '../contract.js';

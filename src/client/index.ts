export {
  createRealtimeClient,
  RealtimeRequestError,
  type RealtimeClient,
  type RealtimeClientOptions,
  type RetryOptions,
  type TypedSocket,
} from './realtime-client.js';
// Every type in contracts.ts is public: the built-in contracts, the merge helper and the event maps.
export type * from './contracts.js';

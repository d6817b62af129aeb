import type { RealtimeContract } from '../domain/contract.js';

// What `@RealtimeHandler()` and `@OnMessage()` (in api/decorators) write and the handler explorer reads.

/** Metadata key of a `@RealtimeHandler()` class: its `RealtimeHandlerOptions`. */
export const REALTIME_HANDLER_METADATA = 'realtime:handler';
/** Metadata key of an `@OnMessage()` method: the event it handles. */
export const ON_MESSAGE_METADATA = 'realtime:on_message';

export interface RealtimeHandlerOptions {
  /**
   * The wire contract these handlers serve (`defineContract`): its requests
   * and pushes appear in the AsyncAPI document that `RealtimeHttpModule`
   * serves. A provider that only pushes may declare its contract this way too.
   */
  contract?: RealtimeContract;
}

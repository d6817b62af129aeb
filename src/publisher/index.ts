// A Node script may import the publisher first thing: the Nest decorators of its module need the Reflect metadata API.
import 'reflect-metadata';

export {
  createRealtimePublisher,
  type PublishedNotification,
  type PublishOperator,
  type PublishPayload,
  type PublishTargets,
  type RealtimePublisher,
  type RealtimePublisherOptions,
} from './realtime-publisher.js';
export { InjectRealtimePublisher, REALTIME_PUBLISHER, RealtimePublisherModule } from './realtime-publisher.module.js';
export { MAX_PUBLISH_USERS, PublishError, type PublishTarget } from './publishable.js';

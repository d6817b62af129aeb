export { PresenceModule } from './presence.module.js';
export type { PresenceModuleOptions } from './presence.options.js';
export type { PresenceModuleExtras } from './presence.module-definition.js';
export { PresenceService } from './application/presence.service.js';
export { PresenceStore } from './ports/presence-store.port.js';
export { InMemoryPresenceStore } from './infrastructure/in-memory-presence.store.js';
export { PresenceVisibilityPolicy } from './ports/presence-visibility-policy.port.js';
export { EveryoneVisiblePolicy } from './infrastructure/everyone-visible.policy.js';
export { PresenceEvents, type PresenceChangedEvent } from './domain/presence-events.js';
export {
  PRESENCE_STATUSES,
  SETTABLE_STATUSES,
  type PresenceEntry,
  type PresenceStatus,
  type SettableStatus,
} from './domain/presence-entry.js';
export { presenceContract } from './presence.contract.js';
export { describePresenceStoreContract, type SuiteRunner } from './ports/presence-store.suite.js';
export {
  describePresenceVisibilityPolicyContract,
  type PresenceVisibilityPolicyFixture,
} from './ports/presence-visibility-policy.suite.js';

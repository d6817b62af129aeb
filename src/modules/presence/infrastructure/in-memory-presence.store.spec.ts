import { describePresenceStoreContract } from '../ports/presence-store.contract.js';
import { InMemoryPresenceStore } from './in-memory-presence.store.js';

describePresenceStoreContract('InMemoryPresenceStore', () => new InMemoryPresenceStore());

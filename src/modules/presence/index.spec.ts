import { describe, expect, it } from '@jest/globals';
import * as presence from './index.js';

describe('presence public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(presence).sort()).toEqual(
      [
        'EveryoneVisiblePolicy',
        'InMemoryPresenceStore',
        'PRESENCE_STATUSES',
        'PresenceEvents',
        'PresenceModule',
        'PresenceService',
        'PresenceStore',
        'PresenceVisibilityPolicy',
        'SETTABLE_STATUSES',
        'describePresenceStoreContract',
        'describePresenceVisibilityPolicyContract',
        'presenceContract',
      ].sort(),
    );
  });

  it('names the domain events as the protocol does', () => {
    expect(presence.PresenceEvents).toEqual({ online: 'presence.online', offline: 'presence.offline' });
  });
});

import { RealtimeException } from '../errors/realtime.exception.js';
import type { AuthenticatedUser } from '../../domain/interfaces/websocket-events.interface.js';
import { withTenant } from './tenant-of.js';

const user = (claims: Record<string, unknown>): AuthenticatedUser => ({ userId: 'ann', claims, expiresAt: 1 });

describe('withTenant', () => {
  it('leaves the user as it is without a tenant claim', () => {
    const ann = user({ tenant: 'acme' });
    expect(withTenant(ann, undefined)).toBe(ann);
  });

  it('reads the tenant from the configured claim', () => {
    expect(withTenant(user({ org: 'acme' }), 'org')).toEqual({ userId: 'ann', claims: { org: 'acme' }, expiresAt: 1, tenant: 'acme' });
  });

  it.each([{}, { org: '' }, { org: 7 }, { org: 'a\ud800' }, { org: ['acme'] }])('refuses %j with UNAUTHORIZED', (claims) => {
    expect(() => withTenant(user(claims), 'org')).toThrow(RealtimeException);
    try {
      withTenant(user(claims), 'org');
    } catch (error) {
      expect((error as RealtimeException).code).toBe('UNAUTHORIZED');
    }
  });
});

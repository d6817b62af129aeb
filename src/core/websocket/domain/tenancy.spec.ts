import { currentTenant, runInTenant, scopedKey, scopedKeyOf, splitScopedKey, TENANT_ID } from './tenancy.js';

describe('tenancy', () => {
  it('scopes nothing outside a tenant: a key is the id itself', () => {
    expect(currentTenant()).toBeUndefined();
    expect(scopedKey('general')).toBe('general');
    expect(runInTenant(undefined, scopedKey, 'general')).toBe('general');
  });

  it('scopes keys to the tenant, in everything the scope starts: awaits, timers, nested scopes', async () => {
    const seen = await runInTenant('acme', async () => {
      const first = scopedKey('general');
      await Promise.resolve();
      const later = await new Promise<string>((resolve) => setTimeout(() => resolve(scopedKey('general')), 1));
      const nested = runInTenant('globex', scopedKey, 'general');
      return [first, later, nested, scopedKey('general')];
    });
    expect(seen).toEqual(['acme/general', 'acme/general', 'globex/general', 'acme/general']);
    expect(currentTenant()).toBeUndefined();
  });

  it('splits a scoped key at its first separator: the id may hold more', () => {
    expect(scopedKeyOf('acme', 'a/b')).toBe('acme/a/b');
    expect(splitScopedKey('acme/a/b')).toEqual({ tenant: 'acme', id: 'a/b' });
    expect(splitScopedKey('plain')).toEqual({ tenant: undefined, id: 'plain' });
  });

  it('never makes a tenant’s key from an id named outside that tenant, whatever the id holds', () => {
    // Outside a scope, `acme/ann` is not tenant acme's `ann`.
    expect(scopedKey('acme/ann')).toBe('/acme/ann');
    expect(scopedKey('acme/ann')).not.toBe(runInTenant('acme', scopedKey, 'ann'));
    expect(scopedKeyOf(undefined, '/x')).toBe('//x');
    for (const id of ['plain', 'acme/ann', '/x', 'a//b', '']) {
      expect(splitScopedKey(scopedKeyOf(undefined, id))).toEqual({ tenant: undefined, id });
      expect(splitScopedKey(scopedKeyOf('acme', id))).toEqual({ tenant: 'acme', id });
    }
  });

  it.each(['acme', 'tenant-42', 'a.b_c:d@e', '0'.repeat(128)])('accepts %s as a tenant', (tenant) => {
    expect(TENANT_ID.test(tenant)).toBe(true);
  });

  it.each(['', 'a/b', 'a b', '{acme}', 'x'.repeat(129), 'ünï'])('refuses %j as a tenant', (tenant) => {
    expect(TENANT_ID.test(tenant)).toBe(false);
  });
});

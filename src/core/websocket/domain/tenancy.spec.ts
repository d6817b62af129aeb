import { currentTenant, isTenant, runInTenant, scopedKey, scopedKeyOf, splitScopedKey } from './tenancy.js';

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

  it.each(['acme', 'tenant-42', 'Acme Corp', 'a/b', '{acme}', '100%', 'école', '😀', 'x'.repeat(1000)])(
    'accepts %j as a tenant, and keys it apart',
    (tenant) => {
      expect(isTenant(tenant)).toBe(true);
      const key = runInTenant(tenant, scopedKey, 'ann/x');
      // The encoded tenant holds neither the separator nor a hash-tag brace, and splits back exactly.
      expect(key.slice(0, key.indexOf('/'))).not.toMatch(/[{}]/);
      expect(splitScopedKey(key)).toEqual({ tenant, id: 'ann/x' });
      expect(runInTenant(tenant, currentTenant)).toBe(tenant);
    },
  );

  it('never gives two tenants one key', () => {
    const tenants = ['a', 'a/b', 'a%2Fb', 'a%252Fb', 'A', 'a ', ' a', 'a/', '/a', '{a}', '%7Ba%7D'];
    const keys = tenants.map((tenant) => runInTenant(tenant, scopedKey, 'x'));
    expect(new Set(keys).size).toBe(tenants.length);
  });

  it.each(['', 42, null, ['acme'], { toString: () => 'acme' }, 'a\ud800', '\udc00b'])('refuses %j as a tenant', (tenant) => {
    expect(isTenant(tenant)).toBe(false);
  });
});

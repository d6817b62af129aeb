import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Tenant isolation, in one place. With a tenant claim configured
 * (`JWT_TENANT_CLAIM`), every socket belongs to its token's tenant, and all
 * it does runs in that tenant's scope: its events, its connect and
 * disconnect, and every domain event and push they cause. Feature code keeps
 * using plain user and room ids; where an id becomes a room name or a storage
 * key (`rooms.user`, `chatRoom`, `presenceRoom`, the stores), it is scoped by
 * `scopedKey`, so the same id in two tenants names two different things.
 *
 * Without a tenant claim no scope is ever entered: `scopedKey(id)` is `id`
 * (an id holding a `/` gets one more in front), and names and keys are what
 * they always were.
 */

/** A tenant: 1 to 128 letters, digits and `_ . : @ -` (never the separator, nor a Redis Cluster hash-tag brace). */
export const TENANT_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

/** Between a tenant and an id in a scoped key; a tenant cannot hold it. */
const SEPARATOR = '/';

const scope = new AsyncLocalStorage<string>();

/** The tenant whose scope this code runs in, or undefined outside any (and always without tenants). */
export function currentTenant(): string | undefined {
  return scope.getStore();
}

/**
 * Runs `fn` in the tenant's scope: everything it starts, synchronously or
 * not (promises, timers, domain events), scopes its keys to that tenant.
 * Without a tenant it just calls `fn`.
 */
export function runInTenant<A extends unknown[], R>(tenant: string | undefined, fn: (...args: A) => R, ...args: A): R {
  return tenant === undefined ? fn(...args) : scope.run(tenant, fn, ...args);
}

/**
 * `id` as a room-name part or storage key of the current tenant: `<tenant>/<id>`.
 * Outside a tenant's scope (always, without tenants) it is `id` itself, or
 * `/<id>` when the id holds a `/`: so no id, whatever it holds, makes a key
 * of some tenant when named outside that tenant's scope (`acme/ann` is not
 * tenant acme's `ann`). Every store an app writes for its own feature keys by
 * it too, so its data stays in its tenant.
 *
 * @example
 * this.byMessage.get(scopedKey(messageId));
 */
export function scopedKey(id: string): string {
  return scopedKeyOf(scope.getStore(), id);
}

/** `id` scoped to a given tenant (or to none), wherever this code runs. */
export function scopedKeyOf(tenant: string | undefined, id: string): string {
  if (tenant !== undefined) return `${tenant}${SEPARATOR}${id}`;
  return id.includes(SEPARATOR) ? `${SEPARATOR}${id}` : id;
}

/** The tenant and id of a key `scopedKey` made (the two forms never meet: a tenant is never empty). */
export function splitScopedKey(key: string): { tenant: string | undefined; id: string } {
  const at = key.indexOf(SEPARATOR);
  if (at < 0) return { tenant: undefined, id: key };
  if (at === 0) return { tenant: undefined, id: key.slice(1) };
  return { tenant: key.slice(0, at), id: key.slice(at + 1) };
}

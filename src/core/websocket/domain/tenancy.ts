import { AsyncLocalStorage } from 'node:async_hooks';
import { isWellFormedId } from './utf16-string.js';

/**
 * Tenant isolation, in one place. With a tenant claim configured
 * (`JWT_TENANT_CLAIM`), every socket belongs to its token's tenant, and all
 * it does runs in that tenant's scope: its events (the gateway enters it),
 * the first-socket and last-socket events of its user (the connection
 * manager, from the registry key), and every domain event and push they
 * cause. Feature code keeps
 * using plain user and room ids; where an id becomes a room name or a storage
 * key (`rooms.user`, `chatRoom`, `presenceRoom`, the stores), it is scoped by
 * `scopedKey`, so the same id in two tenants names two different things.
 *
 * Without a tenant claim no scope is ever entered: `scopedKey(id)` is `id`
 * (an id holding a `/` gets one more in front), and names and keys are what
 * they always were.
 */

/** Between a tenant and an id in a scoped key; an encoded tenant never holds it. */
const SEPARATOR = '/';

/** What the scope holds: the prefix of its keys, `<encoded tenant>/`. */
const scope = new AsyncLocalStorage<string>();

/**
 * True for a tenant: any non-empty string of well-formed Unicode (a lone
 * surrogate cannot be told apart from another once written to Redis as UTF-8).
 */
export function isTenant(value: unknown): value is string {
  return isWellFormedId(value);
}

/**
 * The tenant as it appears in keys and room names: percent-encoded
 * (`encodeURIComponent`), so it never holds the separator, a Redis Cluster
 * hash-tag brace or a `%` of its own, and two tenants never meet.
 */
function prefixOf(tenant: string): string {
  return `${encodeURIComponent(tenant)}${SEPARATOR}`;
}

/** The tenant whose scope this code runs in, or undefined outside any (and always without tenants). */
export function currentTenant(): string | undefined {
  const prefix = scope.getStore();
  return prefix === undefined ? undefined : decodeURIComponent(prefix.slice(0, -SEPARATOR.length));
}

/**
 * Runs `fn` in the tenant's scope: everything it starts, synchronously or
 * not (promises, timers, domain events), scopes its keys to that tenant.
 * Without a tenant it just calls `fn`.
 */
export function runInTenant<A extends unknown[], R>(tenant: string | undefined, fn: (...args: A) => R, ...args: A): R {
  return tenant === undefined ? fn(...args) : scope.run(prefixOf(tenant), fn, ...args);
}

/**
 * `id` as a room-name part or storage key of the current tenant:
 * `<tenant>/<id>`, the tenant percent-encoded. Outside a tenant's scope
 * (always, without tenants) it is `id` itself, or `/<id>` when the id holds a
 * `/`: so no id, whatever it holds, makes a key of some tenant when named
 * outside that tenant's scope (`acme/ann` is not tenant acme's `ann`). Every
 * store an app writes for its own feature keys by it too, so its data stays
 * in its tenant.
 *
 * @example
 * this.byMessage.get(scopedKey(messageId));
 */
export function scopedKey(id: string): string {
  const prefix = scope.getStore();
  return prefix === undefined ? unscoped(id) : `${prefix}${id}`;
}

/** `id` scoped to a given tenant (or to none), wherever this code runs. */
export function scopedKeyOf(tenant: string | undefined, id: string): string {
  return tenant === undefined ? unscoped(id) : `${prefixOf(tenant)}${id}`;
}

function unscoped(id: string): string {
  return id.includes(SEPARATOR) ? `${SEPARATOR}${id}` : id;
}

/** The tenant and id of a key `scopedKey` made (the two forms never meet: a tenant is never empty). */
export function splitScopedKey(key: string): { tenant: string | undefined; id: string } {
  const at = key.indexOf(SEPARATOR);
  if (at < 0) return { tenant: undefined, id: key };
  if (at === 0) return { tenant: undefined, id: key.slice(1) };
  return { tenant: decodeURIComponent(key.slice(0, at)), id: key.slice(at + 1) };
}

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { sessionContract } from '../core/websocket/api/session.contract.js';
import type { RealtimeContract } from '../core/websocket/domain/contract.js';
import { rooms } from '../core/websocket/domain/rooms.js';
import { isTenant, runInTenant } from '../core/websocket/domain/tenancy.js';
import { chatContract } from '../modules/chat/chat.contract.js';
import { ROOM_ID, chatRoom } from '../modules/chat/application/chat-rooms.js';
import { notificationsContract } from '../modules/notifications/notifications.contract.js';
import { presenceContract } from '../modules/presence/presence.contract.js';

/** The most users one publish may name. */
export const MAX_PUBLISH_USERS = 1000;

const id = z.string().min(1).max(256);
/** With tenants (`JWT_TENANT_CLAIM` on the servers), the tenant every target is in. */
const tenant = z.string().refine(isTenant, 'a tenant: a non-empty string of well-formed Unicode').optional();

/**
 * Who a published push is for: one user, up to 1,000 users, or the members of
 * a chat room, in one tenant when the servers have tenants. There is no "everyone".
 */
export const publishTargetSchema = z.union([
  z.strictObject({ userId: id, tenant }),
  z.strictObject({ userIds: z.array(id).min(1).max(MAX_PUBLISH_USERS), tenant }),
  // A chat room id, as `chat:join` takes it: any other names a room nobody can be in.
  z.strictObject({ roomId: z.string().regex(ROOM_ID, 'a chat room id: 1 to 64 of A-Z a-z 0-9 _ . -'), tenant }),
]);
export type PublishTarget = z.infer<typeof publishTargetSchema>;

/** The Socket.IO rooms of a target: the users' own rooms, or the chat room, named in the target's tenant. */
export function roomsOf(target: PublishTarget): string[] {
  return runInTenant(target.tenant, namesOf, target);
}

function namesOf(target: PublishTarget): string[] {
  if ('userId' in target) return [rooms.user(target.userId)];
  if ('userIds' in target) return [...new Set(target.userIds)].map((userId) => rooms.user(userId));
  return [chatRoom(target.roomId)];
}

/** A push that may not be published: an event no contract offers, or a payload its schema refuses. */
export class PublishError extends Error {
  override name = 'PublishError';
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * Pushes that only their own module sends: a chat message outside the room's
 * history, a presence change the ledger never made, or a session event would
 * each tell clients something untrue.
 */
const OWNED = new Set([sessionContract, chatContract, presenceContract].flatMap((contract) => Object.keys(contract.pushes)));

/**
 * The pushes a process may publish from outside a handler, each with the
 * schema its payload must pass: `notification` (the built-in one) and every
 * push of the given contracts, but the session's, chat's and presence's own.
 */
export class Publishable {
  private readonly schemas = new Map<string, z.ZodType>();

  constructor(contracts: readonly RealtimeContract[] = []) {
    for (const contract of [notificationsContract, ...contracts]) {
      for (const [event, push] of Object.entries(contract.pushes)) if (!OWNED.has(event)) this.schemas.set(event, push.payload);
    }
  }

  /** The events that may be published. */
  get events(): string[] {
    return [...this.schemas.keys()];
  }

  /** True when `event` may be published. */
  has(event: string): boolean {
    return this.schemas.has(event);
  }

  /**
   * The payload as it goes on the wire, or a `PublishError`. A `notification`
   * is given as `{ type, data }` and gets its `id` and `createdAt` here.
   */
  payloadOf(event: string, data: unknown): unknown {
    const schema = this.schemas.get(event);
    if (!schema) {
      const reason = OWNED.has(event) ? 'is sent by its own module only' : 'is not a push of any contract';
      throw new PublishError(`"${event}" ${reason}`, { event, publishable: this.events });
    }
    const parsed = schema.safeParse(event === 'notification' ? completeNotification(data) : data);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      throw new PublishError(`The payload of "${event}" does not match its schema`, { issues });
    }
    return parsed.data;
  }
}

/** `{ type, data }` with the `id` and `createdAt` every notification gets where it is made. */
function completeNotification(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  return { ...data, id: randomUUID(), createdAt: new Date().toISOString() };
}

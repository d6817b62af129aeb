import { z } from 'zod';
// zod is the one package domain/ imports: it is the schema language. Client declarations follow this file, so nothing of Nest or socket.io may come in.
import type { Envelope } from './interfaces/envelope.js';
import { ErrorCode } from './errors/error-code.js';

/** A client request: what the body must be, and what `data` the success reply carries. */
export interface RequestContract<Body extends z.ZodType = z.ZodType, Reply extends z.ZodType = z.ZodType> {
  summary: string;
  body: Body;
  reply: Reply;
}

/** A server-to-client event and its payload. */
export interface PushContract<Payload extends z.ZodType = z.ZodType> {
  summary: string;
  payload: Payload;
}

/**
 * What one module says on the wire, written once with the same zod schemas
 * the router validates with. Types for clients and the AsyncAPI document are
 * derived from it, so neither can drift from the code.
 */
export interface RealtimeContract {
  /** Client-to-server requests, by event name. */
  requests: Record<string, RequestContract>;
  /** Server-to-client events, by event name. */
  pushes: Record<string, PushContract>;
}

/**
 * Declares a module's wire contract, keeping its exact types.
 *
 * @example
 * export const chatContract = defineContract({
 *   requests: { 'chat:join': { summary: 'Join a room', body: joinSchema, reply: z.object({ roomId: z.string() }) } },
 *   pushes: { 'chat:message': { summary: 'A message in a joined room', payload: messageSchema } },
 * });
 */
export function defineContract<const C extends RealtimeContract>(contract: C): C {
  return contract;
}

/** The intersection of a union's members (`A | B` to `A & B`). */
type IntersectionOf<U> = (U extends unknown ? (member: U) => void : never) extends (member: infer I) => void ? I : never;

/** Flattens an intersection into one object type, so editors show the merged events rather than `A & B & C`. */
type Flatten<T> = { [K in keyof T]: T[K] };

/**
 * Several modules' contracts as one: every request and every push of each.
 * Declare an event name in one contract only; a name in two would have to fit both.
 *
 * @example
 * type AppContract = MergeContracts<[BuiltInContract, typeof todoContract]>;
 * const client = createRealtimeClient<AppContract>(url, { getToken });
 */
export type MergeContracts<Cs extends readonly RealtimeContract[]> = {
  requests: Flatten<IntersectionOf<MapsOf<Cs, 'requests'>>>;
  pushes: Flatten<IntersectionOf<MapsOf<Cs, 'pushes'>>>;
};

/** One map (`requests` or `pushes`) of each contract, as a union; `{}` for an empty list rather than `never`. */
type MapsOf<Cs extends readonly RealtimeContract[], K extends keyof RealtimeContract> = [Cs[number]] extends [never] ? {} : Cs[number][K];

/** The body a client sends with request `E` of contract `C`. */
export type RequestBody<C extends RealtimeContract, E extends keyof C['requests']> = z.input<C['requests'][E]['body']>;
/** The `data` of the success reply to request `E`. */
export type ReplyData<C extends RealtimeContract, E extends keyof C['requests']> = z.output<C['requests'][E]['reply']>;
/** The payload of push `E`. */
export type PushPayload<C extends RealtimeContract, E extends keyof C['pushes']> = z.output<C['pushes'][E]['payload']>;

/** Socket.IO's client-to-server event map for a contract: every request takes a body and an ack. */
export type ClientEventsOf<C extends RealtimeContract> = {
  [E in keyof C['requests'] & string]: (body: RequestBody<C, E>, ack: (reply: Envelope<ReplyData<C, E>>) => void) => void;
};

/** Socket.IO's server-to-client event map for a contract. */
export type ServerEventsOf<C extends RealtimeContract> = {
  [E in keyof C['pushes'] & string]: (payload: PushPayload<C, E>) => void;
};

/** The error part of every reply, as a schema (for documents; the router builds it from `RealtimeException`). */
export const errorBodySchema = z.object({
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  details: z.unknown().optional(),
});

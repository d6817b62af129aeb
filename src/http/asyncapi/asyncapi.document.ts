import { z } from 'zod';
import { errorBodySchema, type RealtimeContract } from '../../core/websocket/domain/contract.js';

export interface AsyncApiInfo {
  title: string;
  version: string;
  description: string;
  /** Socket.IO path, `WS_PATH`. */
  path: string;
}

type Json = Record<string, unknown>;

/** Component keys allow letters, digits, `.`, `-` and `_`; event names carry a colon. */
const key = (event: string): string => event.replace(/:/g, '.');

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as Json;
  return rest;
};

/**
 * The AsyncAPI 3.0 document of the wire protocol, from the modules' contracts
 * (the same zod schemas the router validates with). Requests are operations
 * the server receives, with the reply envelope as their reply; pushes are
 * operations it sends. `routed` limits requests to the events the router
 * really serves.
 */
export function buildAsyncApiDocument(contracts: readonly RealtimeContract[], routed: ReadonlySet<string>, info: AsyncApiInfo): Json {
  const messages: Json = {};
  const operations: Json = {};
  const channelMessages: Json = {};
  const envelopeError = {
    type: 'object',
    properties: { ok: { const: false }, error: { $ref: '#/components/schemas/ErrorBody' } },
    required: ['ok', 'error'],
  };

  const addMessage = (id: string, name: string, summary: string, payload: Json): Json => {
    messages[id] = { name, title: name, summary, payload };
    channelMessages[id] = { $ref: `#/components/messages/${id}` };
    return { $ref: `#/channels/socket/messages/${id}` };
  };

  for (const contract of contracts) {
    for (const [event, request] of Object.entries(contract.requests)) {
      if (!routed.has(event)) continue;
      const requestRef = addMessage(`${key(event)}.request`, event, request.summary, jsonSchema(request.body, 'input'));
      const replyRef = addMessage(`${key(event)}.reply`, `${event} reply`, `The ack of ${event}: its data, or an error`, {
        oneOf: [
          { type: 'object', properties: { ok: { const: true }, data: jsonSchema(request.reply, 'output') }, required: ['ok', 'data'] },
          envelopeError,
        ],
      });
      operations[`receive.${key(event)}`] = {
        action: 'receive',
        title: event,
        summary: request.summary,
        channel: { $ref: '#/channels/socket' },
        messages: [requestRef],
        reply: { channel: { $ref: '#/channels/socket' }, messages: [replyRef] },
      };
    }
    for (const [event, push] of Object.entries(contract.pushes)) {
      const ref = addMessage(`${key(event)}.push`, event, push.summary, jsonSchema(push.payload, 'output'));
      operations[`send.${key(event)}`] = {
        action: 'send',
        title: event,
        summary: push.summary,
        channel: { $ref: '#/channels/socket' },
        messages: [ref],
      };
    }
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: info.title,
      version: info.version,
      description: info.description,
    },
    defaultContentType: 'application/json',
    servers: {
      socketio: {
        host: 'localhost:3000',
        protocol: 'ws',
        pathname: info.path,
        description:
          'Socket.IO 4 (Engine.IO v4, Socket.IO protocol v5), default namespace. Authenticate with a JWT in auth.token or an Authorization: Bearer header; a refused handshake ends in connect_error with err.data = { code, message }.',
        security: [{ $ref: '#/components/securitySchemes/jwt' }],
      },
    },
    channels: {
      socket: {
        address: '/',
        title: 'The default namespace',
        description: 'Every event travels over one socket; requests carry an ack and get exactly one reply envelope.',
        messages: channelMessages,
      },
    },
    operations,
    components: {
      schemas: { ErrorBody: jsonSchema(errorBodySchema, 'output') },
      messages,
      securitySchemes: {
        jwt: { type: 'httpApiKey', name: 'auth.token', in: 'header', description: 'A JWT (HS256 by default) whose sub is the user id' },
      },
    },
  };
}

import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { parseModuleOptions } from './domain/parse-options.js';

/** Algorithms a token may be signed with. `none` is not among them, whatever the configuration says. */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
/** The algorithms of an HMAC secret: the ones a token signed with `secret` can have. */
export type HmacAlgorithm = Extract<JwtAlgorithm, `HS${string}`>;

/** Options of `WebsocketModule.forRoot()` / `forRootAsync()`. */
export interface WebsocketModuleOptions {
  auth: {
    /** HMAC secret for HS* tokens, at least 32 bytes. One of `secret` and `publicKey` is required. */
    secret?: string;
    /** PEM public key for RS*, PS* and ES* tokens, or an Ed25519 / Ed448 key for EdDSA tokens. */
    publicKey?: string;
    /** Accepted signing algorithms. @default ['HS256'] with a secret; with a public key, the one its type verifies (`defaultAlgorithmFor`) */
    algorithms?: JwtAlgorithm[];
    /** Required `iss` when set. */
    issuer?: string;
    /** Required `aud` when set. */
    audience?: string;
    /** Seconds of clock skew allowed on `exp` and `nbf`. @default 5 */
    clockToleranceSec?: number;
    /** Accept `?token=` in the handshake URL (tokens in URLs end up in access logs). @default false */
    allowQueryToken?: boolean;
    /** Longer tokens are refused before any verification. @default 8192 */
    maxTokenBytes?: number;
    /**
     * The claim naming each token's tenant (e.g. `'tenant'`). When set, a token
     * without it (a non-empty string) is refused
     * `UNAUTHORIZED`, and everything a socket reaches is scoped to its tenant:
     * rooms, presence, history, idempotency, the per-user cap. Unset: one
     * namespace for everyone.
     */
    tenantClaim?: string;
  };
  /** Socket.IO path. @default '/socket.io' */
  path?: string;
  /** Allowed `Origin` values; empty allows every origin. Requests without `Origin` are not affected. @default [] */
  corsOrigins?: string[];
  /** Largest accepted frame; a larger one closes that connection. @default 65536 */
  maxPayloadBytes?: number;
  /**
   * Binary attachments one Socket.IO packet may announce; a packet announcing
   * more closes its connection. Protocol v1 carries JSON only, and every
   * pending attachment is a frame held in memory, so none are accepted unless
   * an app adds binary events. @default 0
   */
  maxBinaryAttachments?: number;
  /**
   * Deepest nesting of arrays and objects in an event body; a deeper body is
   * refused with `BAD_REQUEST` before any handler sees it (deep objects
   * overflow the stack of Socket.IO's encoders if they are ever sent on). @default 32
   */
  maxBodyDepth?: number;
  /**
   * Bytes (UTF-16 units for text) that may wait to be sent to one connection.
   * A client that stops reading is disconnected once its queue passes this,
   * instead of growing the server's memory. @default 1048576
   */
  maxOutgoingBufferBytes?: number;
  /** Engine.IO heartbeat interval. @default 25000 */
  pingIntervalMs?: number;
  /** How long a silent connection is kept after a ping. @default 20000 */
  pingTimeoutMs?: number;
  /** How long a transport may stay open without completing the Socket.IO handshake. @default 10000 */
  connectTimeoutMs?: number;
  /** Per-socket token bucket checked before any handler runs. @default { perSecond: 50, burst: 100 } */
  rateLimit?: { perSecond?: number; burst?: number };
  /** Further handshakes of a user with this many sockets are refused. @default 20 */
  maxConnectionsPerUser?: number;
  /** This node's name in the cluster. @default `${hostname}-${pid}` */
  nodeId?: string;
  /**
   * Unset: one node, all state in memory. Set: every node sharing this Redis
   * is one server, reached by `url` (one server), `sentinels` (the primary
   * that Redis Sentinel names, followed across failovers) or `clusterNodes`
   * (a Redis Cluster); exactly one of them.
   */
  redis?: RedisUrlOptions | RedisSentinelOptions | RedisClusterOptions;
  /** How often a node renews its heartbeat; it is dead after three missed beats. @default 5000 */
  heartbeatMs?: number;
  /**
   * On shutdown, how long clients get to move after `server:shutdown` before
   * they are disconnected. With Redis they are told as fast as the other
   * nodes admit them, and those left 2 s before the end to keep coming at
   * that rate (with a warning naming the grace they needed); on one node,
   * over a spread that brings them back at 1,000 a second. @default 10000
   */
  shutdownGraceMs?: number;
}

/** What every way of reaching Redis accepts. */
export interface RedisConnectionOptions {
  /** ACL user of the data nodes (not of the sentinels). */
  username?: string;
  /** Password of the data nodes (not of the sentinels); never logged. */
  password?: string;
  /** Prefix of every key and channel the module uses; no `{` or `}` (the module's keys put their hash tag after it). @default 'rt:' */
  keyPrefix?: string;
  /**
   * How long start-up waits for Redis. Past it the node starts without Redis
   * (an outage: not ready, local sockets served) and joins when Redis comes;
   * credentials Redis refuses stop the start. @default 3000
   */
  connectTimeoutMs?: number;
}

/** One Redis server. */
export interface RedisUrlOptions extends RedisConnectionOptions {
  /** `redis://` or `rediss://` URL; credentials go here or in `username` / `password`, not both. */
  url: string;
  sentinels?: never;
  clusterNodes?: never;
}

/** The primary that Redis Sentinel names; on a failover the clients ask the sentinels again. */
export interface RedisSentinelOptions extends RedisConnectionOptions {
  /** Some or all of the sentinels; the others are learnt from them. */
  sentinels: { host: string; port: number }[];
  /** The monitored primary's name. @default 'mymaster' */
  name?: string;
  url?: never;
  clusterNodes?: never;
}

/** A Redis Cluster: keys spread over its masters, a replica takes over a failed master. */
export interface RedisClusterOptions extends RedisConnectionOptions {
  /** Some or all of the cluster's nodes (seeds); the others are learnt from them. */
  clusterNodes: { host: string; port: number }[];
  url?: never;
  sentinels?: never;
}

const positiveInt = z.number().int().positive();

/** True for a URL that carries a user or a password. */
function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return Boolean(parsed.username || parsed.password);
  } catch {
    return false;
  }
}

const endpointsSchema = z.array(z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) })).min(1);

const redisSchema = z
  .object({
    url: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    sentinels: endpointsSchema.optional(),
    clusterNodes: endpointsSchema.optional(),
    name: z.string().min(1).default('mymaster'),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    keyPrefix: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[^{}]*$/, 'must not contain { or }: the keys put their Redis Cluster hash tag after the prefix')
      .default('rt:'),
    connectTimeoutMs: positiveInt.default(3000),
  })
  .refine((redis) => [redis.url, redis.sentinels, redis.clusterNodes].filter((mode) => mode !== undefined).length === 1, {
    message: 'exactly one of url, sentinels and clusterNodes is required',
  })
  // Two sources for one credential would leave which one applies to the client library.
  .refine((redis) => !(redis.url && hasCredentials(redis.url) && (redis.username || redis.password)), {
    message: 'credentials go in the url or in username and password, not both',
    path: ['password'],
  });

/** The shortest HMAC secret accepted: HS256's 256 bits (RFC 7518 §3.2); a shorter one can be guessed offline from any token. */
export const MIN_HMAC_SECRET_BYTES = 32;

function isPublicKey(pem: string): boolean {
  return defaultAlgorithmFor(pem) !== undefined;
}

/** EC curves (OpenSSL's names) and the algorithm that signs with each (RFC 7518). */
const EC_ALGORITHMS: Readonly<Record<string, JwtAlgorithm>> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/**
 * The algorithm a public key verifies when none is configured: EdDSA for an
 * Ed25519 or Ed448 key, ES256, ES384 or ES512 for an EC key on P-256, P-384
 * or P-521, RS256 for the rest. Undefined for a string that is not a public key.
 */
export function defaultAlgorithmFor(pem: string): JwtAlgorithm | undefined {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return undefined;
  }
  const type = key.asymmetricKeyType;
  if (type === 'ed25519' || type === 'ed448') return 'EdDSA';
  if (type === 'ec') return EC_ALGORITHMS[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'ES256';
  return 'RS256';
}

export const websocketOptionsSchema = z.object({
  auth: z
    .object({
      secret: z
        .string()
        .refine(
          (secret) => Buffer.byteLength(secret) >= MIN_HMAC_SECRET_BYTES,
          `at least ${MIN_HMAC_SECRET_BYTES} bytes (HS256 needs a 256-bit key)`,
        )
        .optional(),
      publicKey: z.string().min(1).refine(isPublicKey, 'must be a public key in PEM').optional(),
      algorithms: z.array(z.enum(JWT_ALGORITHMS)).min(1).optional(),
      issuer: z.string().min(1).optional(),
      audience: z.string().min(1).optional(),
      clockToleranceSec: z.number().min(0).max(300).default(5),
      allowQueryToken: z.boolean().default(false),
      maxTokenBytes: positiveInt.default(8192),
      tenantClaim: z.string().min(1).max(128).optional(),
    })
    .transform(({ algorithms, ...auth }) => ({
      ...auth,
      algorithms: algorithms ?? [auth.publicKey ? (defaultAlgorithmFor(auth.publicKey) ?? 'RS256') : ('HS256' as JwtAlgorithm)],
    }))
    .refine((auth) => Boolean(auth.secret) !== Boolean(auth.publicKey), {
      message: 'exactly one of secret and publicKey is required',
    })
    .refine((auth) => auth.algorithms.every((alg) => alg.startsWith('HS') === Boolean(auth.secret)), {
      message: 'HS* algorithms go with a secret, the others with a public key',
      path: ['algorithms'],
    })
    .refine(
      (auth) => {
        if (!auth.publicKey) return true;
        const edwards = defaultAlgorithmFor(auth.publicKey) === 'EdDSA';
        return auth.algorithms.every((alg) => (alg === 'EdDSA') === edwards);
      },
      {
        message: 'EdDSA goes with an Ed25519 or Ed448 public key, and such a key with EdDSA only',
        path: ['algorithms'],
      },
    ),
  path: z
    .string()
    .regex(/^\/\S*$/)
    .default('/socket.io'),
  corsOrigins: z.array(z.string().min(1)).default([]),
  maxPayloadBytes: positiveInt.default(65536),
  maxBinaryAttachments: z.number().int().min(0).max(1000).default(0),
  maxBodyDepth: z.number().int().min(1).max(1000).default(32),
  maxOutgoingBufferBytes: z
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  pingIntervalMs: positiveInt.default(25000),
  pingTimeoutMs: positiveInt.default(20000),
  connectTimeoutMs: positiveInt.default(10000),
  rateLimit: z
    .object({ perSecond: positiveInt.default(50), burst: positiveInt.default(100) })
    .refine((limit) => limit.burst >= limit.perSecond, { message: 'burst must be at least perSecond', path: ['burst'] })
    .default({ perSecond: 50, burst: 100 }),
  maxConnectionsPerUser: positiveInt.default(20),
  nodeId: z.string().min(1).max(128).optional(),
  redis: redisSchema.optional(),
  heartbeatMs: z.number().int().min(50).default(5000),
  shutdownGraceMs: z.number().int().min(0).default(10000),
});

/** The options after defaults, as every service of the module reads them. */
export type ResolvedWebsocketOptions = z.output<typeof websocketOptionsSchema> & { nodeId: string };

/** The `redis` option alone, validated with its defaults, for a process that reaches Redis without the module (the publisher). @internal */
export function resolveRedisOptions(
  owner: string,
  redis: NonNullable<WebsocketModuleOptions['redis']>,
): NonNullable<ResolvedWebsocketOptions['redis']> {
  return parseModuleOptions(owner, redisSchema, redis);
}

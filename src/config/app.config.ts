import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  defaultAlgorithmFor,
  JWT_ALGORITHMS,
  websocketOptionsSchema,
  type HmacAlgorithm,
  type WebsocketModuleOptions,
} from '../core/websocket/websocket.options.js';

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug'] as const;
export type AppLogLevel = (typeof LOG_LEVELS)[number];

/** Everything the app reads from its environment, read once. */
export interface AppConfig {
  port: number;
  production: boolean;
  devAuth: boolean;
  /** True when no key was configured and a random secret was made for this run. */
  generatedSecret: boolean;
  logLevel: AppLogLevel;
  shutdownGraceMs: number;
  presence: { offlineGraceMs: number; maxWatchedPerSocket: number; lastSeenTtlMs: number };
  chat: { historyPerRoom: number; historyIdleTtlMs: number; maxRoomsPerSocket: number };
  /** The key of `POST /realtime/publish`; unset, the endpoint answers 404. */
  publishApiKey?: string;
  websocket: WebsocketModuleOptions;
}

const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);
const optional = z.string().trim().min(1).optional();
/** `host:port,host:port` (an IPv6 host in brackets). */
const endpoints = list.pipe(
  z
    .array(
      z
        .string()
        .regex(/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/, 'must be host:port,host:port')
        .transform((item) => {
          const at = item.lastIndexOf(':');
          return { host: item.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(item.slice(at + 1)) };
        }),
    )
    .min(1, 'must be host:port,host:port'),
);
/** The variables that each pick a way of reaching Redis; at most one may be set. */
const REDIS_MODES = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: int(0, 65535).default(3000),
  JWT_SECRET: optional,
  JWT_PUBLIC_KEY: optional,
  JWT_ALGORITHMS: list.pipe(z.array(z.enum(JWT_ALGORITHMS)).min(1)).optional(),
  JWT_ISSUER: optional,
  JWT_AUDIENCE: optional,
  JWT_CLOCK_TOLERANCE_S: int(0, 300).default(5),
  // At most the 16384 characters `auth:refresh` accepts for a token.
  JWT_MAX_TOKEN_BYTES: int(256, 16384).default(8192),
  JWT_TENANT_CLAIM: optional,
  WS_ALLOW_QUERY_TOKEN: flag.default(false),
  WS_PATH: z
    .string()
    .regex(/^\/\S*$/, 'must be a path starting with /')
    .default('/socket.io'),
  WS_CORS_ORIGINS: list.default([]),
  WS_MAX_PAYLOAD_BYTES: int(1024, 100 * 1024 * 1024).default(65536),
  WS_MAX_BINARY_ATTACHMENTS: int(0, 1000).default(0),
  WS_MAX_BODY_DEPTH: int(1, 1000).default(32),
  WS_MAX_OUTGOING_BUFFER_BYTES: int(1024).default(1024 * 1024),
  WS_CONNECT_TIMEOUT_MS: int(100).default(10000),
  WS_RATE_LIMIT_PER_SEC: int(1).default(50),
  WS_RATE_LIMIT_BURST: int(1).default(100),
  WS_MAX_CONNECTIONS_PER_USER: int(1).default(20),
  WS_PING_INTERVAL_MS: int(1000).default(25000),
  WS_PING_TIMEOUT_MS: int(1000).default(20000),
  WS_SHUTDOWN_GRACE_MS: int(0).default(10000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_SENTINELS: endpoints.optional(),
  REDIS_SENTINEL_NAME: optional,
  REDIS_CLUSTER_NODES: endpoints.optional(),
  REDIS_USERNAME: optional,
  REDIS_KEY_PREFIX: optional,
  // Not trimmed: a password may have spaces at its ends.
  REDIS_PASSWORD: z.string().optional(),
  NODE_ID: z.string().trim().min(1).max(128).optional(),
  DEV_AUTH: flag.default(false),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('log'),
  PRESENCE_OFFLINE_GRACE_MS: int(0).default(5000),
  PRESENCE_HEARTBEAT_MS: int(100).default(5000),
  PRESENCE_MAX_WATCHED_PER_SOCKET: int(1).default(1000),
  PRESENCE_LAST_SEEN_TTL_MS: int(0).default(30 * DAY_MS),
  CHAT_HISTORY_PER_ROOM: int(1).default(1000),
  CHAT_HISTORY_IDLE_TTL_MS: int(0).default(90 * DAY_MS),
  CHAT_MAX_ROOMS_PER_SOCKET: int(1).default(100),
  // Not trimmed, like a password.
  PUBLISH_API_KEY: z.string().min(32, 'at least 32 characters: a key that can be guessed opens pushes to every user').optional(),
});

/** Every environment variable the app reads. */
export const ENV_VARIABLES = Object.keys(envSchema.shape);

/** The algorithm the app signs its own tokens with (dev tokens, `npm run token`): the first HMAC one configured. */
export function signingAlgorithm(auth: WebsocketModuleOptions['auth']): HmacAlgorithm {
  return auth.algorithms?.find((alg): alg is HmacAlgorithm => alg.startsWith('HS')) ?? 'HS256';
}

/** A bad environment, with every offending variable named. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates the environment. In development, without a key, a random
 * secret is made for this run and the dev token endpoint is turned on; in
 * production a key is required and the dev endpoint refused.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable (`JWT_SECRET=` in a .env file) means unset.
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    // The variable alone: `REDIS_SENTINELS`, not `REDIS_SENTINELS.1` for an item of a list.
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const fail = (message: string): never => {
    throw new ConfigError(`Invalid configuration: ${message}`);
  };
  if (e.JWT_SECRET && e.JWT_PUBLIC_KEY) fail('JWT_SECRET and JWT_PUBLIC_KEY: set one of them, not both');
  if (production && !e.JWT_SECRET && !e.JWT_PUBLIC_KEY) fail('JWT_SECRET or JWT_PUBLIC_KEY is required when NODE_ENV=production');
  if (production && e.DEV_AUTH) fail('DEV_AUTH: the dev token endpoint cannot be enabled when NODE_ENV=production');
  if (e.WS_RATE_LIMIT_BURST < e.WS_RATE_LIMIT_PER_SEC) fail('WS_RATE_LIMIT_BURST: must be at least WS_RATE_LIMIT_PER_SEC');
  const redisModes = REDIS_MODES.filter((name) => e[name] !== undefined);
  if (redisModes.length > 1) fail(`${redisModes.join(', ')}: each picks a way of reaching Redis; set only one`);
  if (e.REDIS_SENTINEL_NAME && !e.REDIS_SENTINELS) fail('REDIS_SENTINEL_NAME: only read with REDIS_SENTINELS, which is not set');
  for (const name of ['REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_KEY_PREFIX'] as const) {
    if (e[name] !== undefined && redisModes.length === 0)
      fail(`${name}: only read with REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES, none of which is set`);
  }

  const generatedSecret = !e.JWT_SECRET && !e.JWT_PUBLIC_KEY;
  const secret = e.JWT_SECRET ?? (generatedSecret ? randomBytes(32).toString('base64url') : undefined);
  const publicKey = e.JWT_PUBLIC_KEY?.replace(/\\n/g, '\n');
  // A public key's default is the algorithm its type verifies (EdDSA, ES256/384/512 or RS256).
  const keyAlgorithm = publicKey ? defaultAlgorithmFor(publicKey) : undefined;
  const algorithms = e.JWT_ALGORITHMS ?? [publicKey ? (keyAlgorithm ?? 'RS256') : 'HS256'];
  const hmac = algorithms.every((alg) => alg.startsWith('HS'));
  if (secret && !hmac) fail('JWT_ALGORITHMS: a JWT_SECRET verifies HS256, HS384 or HS512 only');
  if (e.JWT_PUBLIC_KEY && algorithms.some((alg) => alg.startsWith('HS'))) fail('JWT_ALGORITHMS: a JWT_PUBLIC_KEY cannot verify HS* tokens');
  if (keyAlgorithm && algorithms.some((alg) => (alg === 'EdDSA') !== (keyAlgorithm === 'EdDSA'))) {
    fail('JWT_ALGORITHMS: EdDSA goes with an Ed25519 or Ed448 JWT_PUBLIC_KEY, and such a key with EdDSA only');
  }
  const devAuth = e.DEV_AUTH || generatedSecret;
  if (devAuth && !secret) fail('DEV_AUTH: dev tokens are signed with JWT_SECRET, which is not set');

  const config: AppConfig = {
    port: e.PORT,
    production,
    devAuth,
    generatedSecret,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.WS_SHUTDOWN_GRACE_MS,
    presence: {
      offlineGraceMs: e.PRESENCE_OFFLINE_GRACE_MS,
      maxWatchedPerSocket: e.PRESENCE_MAX_WATCHED_PER_SOCKET,
      lastSeenTtlMs: e.PRESENCE_LAST_SEEN_TTL_MS,
    },
    chat: {
      historyPerRoom: e.CHAT_HISTORY_PER_ROOM,
      historyIdleTtlMs: e.CHAT_HISTORY_IDLE_TTL_MS,
      maxRoomsPerSocket: e.CHAT_MAX_ROOMS_PER_SOCKET,
    },
    ...(e.PUBLISH_API_KEY !== undefined && { publishApiKey: e.PUBLISH_API_KEY }),
    websocket: {
      auth: {
        secret,
        publicKey,
        algorithms,
        issuer: e.JWT_ISSUER,
        audience: e.JWT_AUDIENCE,
        clockToleranceSec: e.JWT_CLOCK_TOLERANCE_S,
        maxTokenBytes: e.JWT_MAX_TOKEN_BYTES,
        allowQueryToken: e.WS_ALLOW_QUERY_TOKEN,
        ...(e.JWT_TENANT_CLAIM !== undefined && { tenantClaim: e.JWT_TENANT_CLAIM }),
      },
      path: e.WS_PATH,
      corsOrigins: e.WS_CORS_ORIGINS,
      maxPayloadBytes: e.WS_MAX_PAYLOAD_BYTES,
      maxBinaryAttachments: e.WS_MAX_BINARY_ATTACHMENTS,
      maxBodyDepth: e.WS_MAX_BODY_DEPTH,
      maxOutgoingBufferBytes: e.WS_MAX_OUTGOING_BUFFER_BYTES,
      connectTimeoutMs: e.WS_CONNECT_TIMEOUT_MS,
      pingIntervalMs: e.WS_PING_INTERVAL_MS,
      pingTimeoutMs: e.WS_PING_TIMEOUT_MS,
      rateLimit: { perSecond: e.WS_RATE_LIMIT_PER_SEC, burst: e.WS_RATE_LIMIT_BURST },
      maxConnectionsPerUser: e.WS_MAX_CONNECTIONS_PER_USER,
      nodeId: e.NODE_ID,
      heartbeatMs: e.PRESENCE_HEARTBEAT_MS,
      shutdownGraceMs: e.WS_SHUTDOWN_GRACE_MS,
      ...redisOptions(e),
    },
  };
  // The module's own checks (key length, algorithm and key type, limits), reported by variable.
  const checked = websocketOptionsSchema.safeParse(config.websocket);
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => `${variableOf(issue.path.join('.'))}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return config;
}

/** The module's `redis` option from the environment: none, a URL, the sentinels or the cluster's seed nodes. */
function redisOptions(e: z.output<typeof envSchema>): Pick<WebsocketModuleOptions, 'redis'> {
  const credentials = {
    ...(e.REDIS_USERNAME !== undefined && { username: e.REDIS_USERNAME }),
    ...(e.REDIS_PASSWORD !== undefined && { password: e.REDIS_PASSWORD }),
    ...(e.REDIS_KEY_PREFIX !== undefined && { keyPrefix: e.REDIS_KEY_PREFIX }),
  };
  if (e.REDIS_URL) return { redis: { url: e.REDIS_URL, ...credentials } };
  if (e.REDIS_SENTINELS) {
    return { redis: { sentinels: e.REDIS_SENTINELS, ...(e.REDIS_SENTINEL_NAME && { name: e.REDIS_SENTINEL_NAME }), ...credentials } };
  }
  if (e.REDIS_CLUSTER_NODES) return { redis: { clusterNodes: e.REDIS_CLUSTER_NODES, ...credentials } };
  return {};
}

/** The environment variable behind each `WebsocketModule` option that `loadConfig` sets. */
const OPTION_VARIABLES: Readonly<Record<string, string>> = {
  auth: 'JWT_SECRET or JWT_PUBLIC_KEY',
  'auth.secret': 'JWT_SECRET',
  'auth.publicKey': 'JWT_PUBLIC_KEY',
  'auth.algorithms': 'JWT_ALGORITHMS',
  'auth.issuer': 'JWT_ISSUER',
  'auth.audience': 'JWT_AUDIENCE',
  'auth.clockToleranceSec': 'JWT_CLOCK_TOLERANCE_S',
  'auth.maxTokenBytes': 'JWT_MAX_TOKEN_BYTES',
  'auth.allowQueryToken': 'WS_ALLOW_QUERY_TOKEN',
  'auth.tenantClaim': 'JWT_TENANT_CLAIM',
  path: 'WS_PATH',
  corsOrigins: 'WS_CORS_ORIGINS',
  maxPayloadBytes: 'WS_MAX_PAYLOAD_BYTES',
  maxBinaryAttachments: 'WS_MAX_BINARY_ATTACHMENTS',
  maxBodyDepth: 'WS_MAX_BODY_DEPTH',
  maxOutgoingBufferBytes: 'WS_MAX_OUTGOING_BUFFER_BYTES',
  connectTimeoutMs: 'WS_CONNECT_TIMEOUT_MS',
  pingIntervalMs: 'WS_PING_INTERVAL_MS',
  pingTimeoutMs: 'WS_PING_TIMEOUT_MS',
  'rateLimit.perSecond': 'WS_RATE_LIMIT_PER_SEC',
  'rateLimit.burst': 'WS_RATE_LIMIT_BURST',
  maxConnectionsPerUser: 'WS_MAX_CONNECTIONS_PER_USER',
  nodeId: 'NODE_ID',
  redis: 'REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES',
  'redis.url': 'REDIS_URL',
  'redis.sentinels': 'REDIS_SENTINELS',
  'redis.clusterNodes': 'REDIS_CLUSTER_NODES',
  'redis.name': 'REDIS_SENTINEL_NAME',
  'redis.username': 'REDIS_USERNAME',
  'redis.password': 'REDIS_PASSWORD',
  'redis.keyPrefix': 'REDIS_KEY_PREFIX',
  heartbeatMs: 'PRESENCE_HEARTBEAT_MS',
  shutdownGraceMs: 'WS_SHUTDOWN_GRACE_MS',
};

const variableOf = (path: string): string => OPTION_VARIABLES[path] ?? OPTION_VARIABLES[path.split('.').slice(0, 2).join('.')] ?? path;

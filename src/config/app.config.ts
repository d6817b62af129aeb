import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defaultAlgorithmFor, JWT_ALGORITHMS, type HmacAlgorithm, type WebsocketModuleOptions } from '../core/websocket/index.js';

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
  redisUrl?: string;
  shutdownGraceMs: number;
  presence: { offlineGraceMs: number; maxWatchedPerSocket: number };
  chat: { historyPerRoom: number; historyIdleTtlMs: number; maxRoomsPerSocket: number };
  websocket: WebsocketModuleOptions;
}

const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));
const optional = z.string().trim().min(1).optional();

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
  WS_ALLOW_QUERY_TOKEN: flag.default(false),
  WS_PATH: z.string().regex(/^\/\S*$/, 'must be a path starting with /').default('/socket.io'),
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
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  NODE_ID: z.string().trim().min(1).max(128).optional(),
  DEV_AUTH: flag.default(false),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('log'),
  PRESENCE_OFFLINE_GRACE_MS: int(0).default(5000),
  PRESENCE_HEARTBEAT_MS: int(100).default(5000),
  PRESENCE_MAX_WATCHED_PER_SOCKET: int(1).default(1000),
  CHAT_HISTORY_PER_ROOM: int(1).default(1000),
  CHAT_HISTORY_IDLE_TTL_MS: int(0).default(0),
  CHAT_MAX_ROOMS_PER_SOCKET: int(1).default(100),
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
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const fail = (message: string): never => {
    throw new ConfigError(`Invalid configuration: ${message}`);
  };
  if (e.JWT_SECRET && e.JWT_PUBLIC_KEY) fail('JWT_SECRET and JWT_PUBLIC_KEY: set one of them, not both');
  if (production && !e.JWT_SECRET && !e.JWT_PUBLIC_KEY) fail('JWT_SECRET or JWT_PUBLIC_KEY is required when NODE_ENV=production');
  if (production && e.JWT_SECRET && Buffer.byteLength(e.JWT_SECRET) < 32) {
    fail('JWT_SECRET: at least 32 bytes when NODE_ENV=production (HS256 needs a 256-bit key)');
  }
  if (production && e.DEV_AUTH) fail('DEV_AUTH: the dev token endpoint cannot be enabled when NODE_ENV=production');
  if (e.WS_RATE_LIMIT_BURST < e.WS_RATE_LIMIT_PER_SEC) fail('WS_RATE_LIMIT_BURST: must be at least WS_RATE_LIMIT_PER_SEC');

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

  return {
    port: e.PORT,
    production,
    devAuth,
    generatedSecret,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    shutdownGraceMs: e.WS_SHUTDOWN_GRACE_MS,
    presence: { offlineGraceMs: e.PRESENCE_OFFLINE_GRACE_MS, maxWatchedPerSocket: e.PRESENCE_MAX_WATCHED_PER_SOCKET },
    chat: { historyPerRoom: e.CHAT_HISTORY_PER_ROOM, historyIdleTtlMs: e.CHAT_HISTORY_IDLE_TTL_MS, maxRoomsPerSocket: e.CHAT_MAX_ROOMS_PER_SOCKET },
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
      ...(e.REDIS_URL ? { redis: { url: e.REDIS_URL } } : {}),
    },
  };
}

import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, ENV_VARIABLES, loadConfig } from './app.config.js';

const SECRET = 'a-secret-of-at-least-thirty-two-bytes';

describe('loadConfig', () => {
  it('applies the protocol defaults', () => {
    const config = loadConfig({ JWT_SECRET: SECRET });
    expect(config.port).toBe(3000);
    expect(config.devAuth).toBe(false);
    expect(config.websocket).toMatchObject({
      auth: { secret: SECRET, algorithms: ['HS256'], clockToleranceSec: 5, allowQueryToken: false },
      path: '/socket.io',
      corsOrigins: [],
      maxPayloadBytes: 65536,
      rateLimit: { perSecond: 50, burst: 100 },
      maxConnectionsPerUser: 20,
      heartbeatMs: 5000,
    });
    expect(config.presence).toEqual({ offlineGraceMs: 5000, maxWatchedPerSocket: 1000, lastSeenTtlMs: 2_592_000_000 });
    expect(config.shutdownGraceMs).toBe(10000);
  });

  it('reads the tenant claim; empty or unset keeps one namespace', () => {
    expect(loadConfig({ JWT_SECRET: SECRET, JWT_TENANT_CLAIM: 'org' }).websocket.auth.tenantClaim).toBe('org');
    expect(loadConfig({ JWT_SECRET: SECRET, JWT_TENANT_CLAIM: '' }).websocket.auth.tenantClaim).toBeUndefined();
    expect(loadConfig({ JWT_SECRET: SECRET }).websocket.auth).not.toHaveProperty('tenantClaim');
  });

  it('makes a random secret and turns on dev tokens in development without a key', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.generatedSecret).toBe(true);
    expect(a.devAuth).toBe(true);
    expect(a.websocket.auth.secret).toHaveLength(43);
    expect(a.websocket.auth.secret).not.toBe(b.websocket.auth.secret);
  });

  it('refuses to start in production without a key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('JWT_SECRET or JWT_PUBLIC_KEY is required when NODE_ENV=production');
  });

  it('refuses a JWT_SECRET shorter than 32 bytes with the module’s own message, in production and out of it', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(
      'Invalid configuration: JWT_SECRET: at least 32 bytes (HS256 needs a 256-bit key)',
    );
    expect(() => loadConfig({ JWT_SECRET: 'x'.repeat(31) })).toThrow('JWT_SECRET: at least 32 bytes');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).production).toBe(true);
  });

  it('refuses DEV_AUTH in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DEV_AUTH: 'true' })).toThrow('DEV_AUTH');
  });

  it.each([
    ['WS_MAX_PAYLOAD_BYTES', 'lots'],
    ['WS_RATE_LIMIT_PER_SEC', '0'],
    ['WS_MAX_CONNECTIONS_PER_USER', '-3'],
    ['PORT', '70000'],
    ['JWT_ALGORITHMS', 'none'],
    ['LOG_LEVEL', 'chatty'],
    ['REDIS_URL', 'localhost:6379'],
    ['WS_ALLOW_QUERY_TOKEN', 'yes please'],
  ])('names %s when its value %j is bad', (name, value) => {
    expect(() => loadConfig({ JWT_SECRET: SECRET, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ JWT_SECRET: SECRET, [name]: value })).toThrow(name);
  });

  it('refuses a burst smaller than the rate', () => {
    expect(() => loadConfig({ JWT_SECRET: SECRET, WS_RATE_LIMIT_PER_SEC: '10', WS_RATE_LIMIT_BURST: '5' })).toThrow('WS_RATE_LIMIT_BURST');
  });

  it('refuses an HMAC secret with asymmetric algorithms, and both keys at once', () => {
    expect(() => loadConfig({ JWT_SECRET: SECRET, JWT_ALGORITHMS: 'RS256' })).toThrow('JWT_ALGORITHMS');
    expect(() => loadConfig({ JWT_SECRET: SECRET, JWT_PUBLIC_KEY: 'k' })).toThrow('JWT_SECRET and JWT_PUBLIC_KEY');
  });

  it('defaults to what the public key verifies: EdDSA, ES256/384/512 by curve, RS256 for RSA', () => {
    const pem = (type: 'ed25519' | 'rsa') =>
      (type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519')).publicKey
        .export({ type: 'spki', format: 'pem' })
        .toString();
    const ec = (namedCurve: string) =>
      generateKeyPairSync('ec', { namedCurve }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(loadConfig({ JWT_PUBLIC_KEY: ec('P-256') }).websocket.auth.algorithms).toEqual(['ES256']);
    expect(loadConfig({ JWT_PUBLIC_KEY: ec('P-384') }).websocket.auth.algorithms).toEqual(['ES384']);
    expect(loadConfig({ JWT_PUBLIC_KEY: ec('P-521') }).websocket.auth.algorithms).toEqual(['ES512']);
    expect(loadConfig({ JWT_PUBLIC_KEY: ec('P-384'), JWT_ALGORITHMS: 'ES384,ES512' }).websocket.auth.algorithms).toEqual([
      'ES384',
      'ES512',
    ]);
    const ed = pem('ed25519');
    expect(loadConfig({ JWT_PUBLIC_KEY: ed }).websocket.auth.algorithms).toEqual(['EdDSA']);
    // As a one-line variable, with \n for its line breaks.
    expect(loadConfig({ JWT_PUBLIC_KEY: ed.replace(/\n/g, '\\n') }).websocket.auth).toMatchObject({ algorithms: ['EdDSA'], publicKey: ed });
    expect(loadConfig({ JWT_PUBLIC_KEY: pem('rsa') }).websocket.auth.algorithms).toEqual(['RS256']);
    expect(() => loadConfig({ JWT_PUBLIC_KEY: ed, JWT_ALGORITHMS: 'RS256' })).toThrow(
      'JWT_ALGORITHMS: EdDSA goes with an Ed25519 or Ed448 JWT_PUBLIC_KEY',
    );
    expect(() => loadConfig({ JWT_PUBLIC_KEY: pem('rsa'), JWT_ALGORITHMS: 'EdDSA' })).toThrow('JWT_ALGORITHMS: EdDSA goes with');
    expect(() => loadConfig({ JWT_SECRET: SECRET, JWT_ALGORITHMS: 'EdDSA' })).toThrow('JWT_ALGORITHMS: a JWT_SECRET verifies HS256');
  });

  it('reads the connection limits, with the module defaults when unset', () => {
    expect(loadConfig({ JWT_SECRET: SECRET }).websocket).toMatchObject({
      maxBinaryAttachments: 0,
      maxBodyDepth: 32,
      maxOutgoingBufferBytes: 1048576,
      connectTimeoutMs: 10000,
    });
    const set = loadConfig({
      JWT_SECRET: SECRET,
      WS_MAX_BINARY_ATTACHMENTS: '4',
      WS_MAX_BODY_DEPTH: '8',
      WS_MAX_OUTGOING_BUFFER_BYTES: '65536',
      WS_CONNECT_TIMEOUT_MS: '3000',
    });
    expect(set.websocket).toMatchObject({
      maxBinaryAttachments: 4,
      maxBodyDepth: 8,
      maxOutgoingBufferBytes: 65536,
      connectTimeoutMs: 3000,
    });
    expect(() => loadConfig({ JWT_SECRET: SECRET, WS_MAX_BODY_DEPTH: '0' })).toThrow('WS_MAX_BODY_DEPTH');
    expect(() => loadConfig({ JWT_SECRET: SECRET, WS_MAX_BINARY_ATTACHMENTS: '1001' })).toThrow('WS_MAX_BINARY_ATTACHMENTS');
    expect(() => loadConfig({ JWT_SECRET: SECRET, WS_MAX_OUTGOING_BUFFER_BYTES: '100' })).toThrow('WS_MAX_OUTGOING_BUFFER_BYTES');
    expect(() => loadConfig({ JWT_SECRET: SECRET, WS_CONNECT_TIMEOUT_MS: 'soon' })).toThrow('WS_CONNECT_TIMEOUT_MS');
  });

  it('reads the token size limit and the chat history expiry, with the module defaults when unset', () => {
    const unset = loadConfig({ JWT_SECRET: SECRET });
    expect(unset.websocket.auth.maxTokenBytes).toBe(8192);
    expect(unset.chat).toEqual({ historyPerRoom: 1000, historyIdleTtlMs: 7_776_000_000, maxRoomsPerSocket: 100 });
    const set = loadConfig({ JWT_SECRET: SECRET, JWT_MAX_TOKEN_BYTES: '2048', CHAT_HISTORY_IDLE_TTL_MS: '86400000' });
    expect(set.websocket.auth.maxTokenBytes).toBe(2048);
    expect(set.chat.historyIdleTtlMs).toBe(86400000);
    // auth:refresh takes tokens of at most 16384 characters, so a larger limit could never apply there.
    expect(() => loadConfig({ JWT_SECRET: SECRET, JWT_MAX_TOKEN_BYTES: '16385' })).toThrow('JWT_MAX_TOKEN_BYTES');
    expect(() => loadConfig({ JWT_SECRET: SECRET, JWT_MAX_TOKEN_BYTES: '100' })).toThrow('JWT_MAX_TOKEN_BYTES');
    expect(() => loadConfig({ JWT_SECRET: SECRET, CHAT_HISTORY_IDLE_TTL_MS: '-1' })).toThrow('CHAT_HISTORY_IDLE_TTL_MS');
  });

  it('reads the per-socket caps on chat rooms and watched users', () => {
    const set = loadConfig({ JWT_SECRET: SECRET, CHAT_MAX_ROOMS_PER_SOCKET: '5', PRESENCE_MAX_WATCHED_PER_SOCKET: '50' });
    expect(set.chat.maxRoomsPerSocket).toBe(5);
    expect(set.presence.maxWatchedPerSocket).toBe(50);
    expect(() => loadConfig({ JWT_SECRET: SECRET, CHAT_MAX_ROOMS_PER_SOCKET: '0' })).toThrow('CHAT_MAX_ROOMS_PER_SOCKET');
    expect(() => loadConfig({ JWT_SECRET: SECRET, PRESENCE_MAX_WATCHED_PER_SOCKET: 'many' })).toThrow('PRESENCE_MAX_WATCHED_PER_SOCKET');
  });

  it('reads comma lists', () => {
    const config = loadConfig({
      JWT_SECRET: SECRET,
      WS_CORS_ORIGINS: 'https://a.example, https://b.example,',
      JWT_ALGORITHMS: 'HS256,HS512',
    });
    expect(config.websocket.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.websocket.auth.algorithms).toEqual(['HS256', 'HS512']);
  });

  it('has every variable it reads in the README and .env.example', () => {
    const readme = readFileSync('README.md', 'utf8');
    const example = readFileSync('.env.example', 'utf8');
    expect(ENV_VARIABLES.length).toBeGreaterThan(30);
    expect(ENV_VARIABLES.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
    expect(ENV_VARIABLES.filter((name) => !new RegExp(`^${name}=`, 'm').test(example))).toEqual([]);
  });

  describe('reaching Redis', () => {
    it('reads REDIS_SENTINELS, REDIS_SENTINEL_NAME and the credentials into the module option', () => {
      const config = loadConfig({
        JWT_SECRET: SECRET,
        REDIS_SENTINELS: 'sentinel-1:26379, 10.0.0.2:26380,[::1]:26381',
        REDIS_SENTINEL_NAME: 'chat',
        REDIS_USERNAME: 'app',
        REDIS_PASSWORD: ' pass word ',
      });
      expect(config.websocket.redis).toEqual({
        sentinels: [
          { host: 'sentinel-1', port: 26379 },
          { host: '10.0.0.2', port: 26380 },
          { host: '::1', port: 26381 },
        ],
        name: 'chat',
        username: 'app',
        password: ' pass word ',
      });
      expect(loadConfig({ JWT_SECRET: SECRET, REDIS_SENTINELS: 'h:26379' }).websocket.redis).toEqual({
        sentinels: [{ host: 'h', port: 26379 }],
      });
    });

    it('keeps REDIS_URL as it was, and gives it REDIS_USERNAME and REDIS_PASSWORD', () => {
      expect(loadConfig({ JWT_SECRET: SECRET, REDIS_URL: 'redis://h:6379' }).websocket.redis).toEqual({ url: 'redis://h:6379' });
      expect(loadConfig({ JWT_SECRET: SECRET, REDIS_URL: 'redis://h:6379', REDIS_PASSWORD: 'pw' }).websocket.redis).toEqual({
        url: 'redis://h:6379',
        password: 'pw',
      });
      expect(loadConfig({ JWT_SECRET: SECRET }).websocket.redis).toBeUndefined();
    });

    it('refuses more than one of REDIS_URL, REDIS_SENTINELS and REDIS_CLUSTER_NODES, naming them', () => {
      expect(() => loadConfig({ JWT_SECRET: SECRET, REDIS_URL: 'redis://h:6379', REDIS_SENTINELS: 'h:26379' })).toThrow(
        'REDIS_URL, REDIS_SENTINELS: each picks a way of reaching Redis; set only one',
      );
      expect(() =>
        loadConfig({ JWT_SECRET: SECRET, REDIS_URL: 'redis://h:6379', REDIS_SENTINELS: 'h:26379', REDIS_CLUSTER_NODES: 'h:7000' }),
      ).toThrow('REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES:');
      expect(() => loadConfig({ JWT_SECRET: SECRET, REDIS_SENTINELS: 'h:26379', REDIS_CLUSTER_NODES: 'h:7000' })).toThrow(
        'REDIS_SENTINELS, REDIS_CLUSTER_NODES:',
      );
    });

    it('reads REDIS_CLUSTER_NODES as the seed nodes of a Redis Cluster, with the credentials', () => {
      expect(
        loadConfig({ JWT_SECRET: SECRET, REDIS_CLUSTER_NODES: 'h:7000, [::1]:7001', REDIS_USERNAME: 'app', REDIS_PASSWORD: 'pw' }).websocket
          .redis,
      ).toEqual({
        clusterNodes: [
          { host: 'h', port: 7000 },
          { host: '::1', port: 7001 },
        ],
        username: 'app',
        password: 'pw',
      });
      expect(() => loadConfig({ JWT_SECRET: SECRET, REDIS_CLUSTER_NODES: 'h' })).toThrow(
        'REDIS_CLUSTER_NODES: must be host:port,host:port',
      );
    });

    it('refuses a key prefix with a brace, which would move the Redis Cluster hash tag', async () => {
      const { websocketOptionsSchema } = await import('../core/websocket/websocket.options.js');
      const parsed = websocketOptionsSchema.safeParse({ auth: { secret: SECRET }, redis: { url: 'redis://h:6379', keyPrefix: 'app{1}:' } });
      expect(parsed.success).toBe(false);
    });

    it('refuses Redis settings that no Redis variable would use', () => {
      expect(() => loadConfig({ JWT_SECRET: SECRET, REDIS_SENTINEL_NAME: 'chat' })).toThrow('REDIS_SENTINEL_NAME');
      expect(() => loadConfig({ JWT_SECRET: SECRET, REDIS_URL: 'redis://h:6379', REDIS_SENTINEL_NAME: 'chat' })).toThrow(
        'REDIS_SENTINEL_NAME',
      );
      expect(() => loadConfig({ JWT_SECRET: SECRET, REDIS_PASSWORD: 'pw' })).toThrow('REDIS_PASSWORD');
      expect(() => loadConfig({ JWT_SECRET: SECRET, REDIS_USERNAME: 'app' })).toThrow('REDIS_USERNAME');
    });

    it.each(['h', 'h:port', ':26379', 'h:26379,,x'])('names REDIS_SENTINELS when it is %j', (value) => {
      expect(() => loadConfig({ JWT_SECRET: SECRET, REDIS_SENTINELS: value })).toThrow('REDIS_SENTINELS: must be host:port,host:port');
    });

    it('never repeats a password in its refusals', () => {
      const attempt = () => loadConfig({ JWT_SECRET: SECRET, REDIS_URL: 'redis://:in-url-secret@h:6379', REDIS_PASSWORD: 'env-secret' });
      expect(attempt).toThrow('REDIS_PASSWORD: credentials go in the url or in username and password, not both');
      expect(attempt).not.toThrow(/secret@|env-secret/);
    });
  });
});

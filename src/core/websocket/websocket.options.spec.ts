import { resolveWebsocketOptions } from './websocket.module-definition.js';

describe('WebsocketModule options', () => {
  it('refuses an HMAC secret shorter than 32 bytes, whoever configures the module', () => {
    expect(() => resolveWebsocketOptions({ auth: { secret: 'short' } })).toThrow(
      'Invalid WebsocketModule options: auth.secret: at least 32 bytes (HS256 needs a 256-bit key)',
    );
    // Bytes, not characters: 11 three-byte characters are 33 bytes.
    expect(resolveWebsocketOptions({ auth: { secret: '€'.repeat(11) } }).auth.algorithms).toEqual(['HS256']);
  });

  it('refuses a key and an algorithm that do not go together', () => {
    expect(() => resolveWebsocketOptions({ auth: { secret: 'x'.repeat(32), algorithms: ['RS256'] } })).toThrow(
      'HS* algorithms go with a secret',
    );
    expect(() => resolveWebsocketOptions({ auth: {} })).toThrow('exactly one of secret and publicKey is required');
  });

  it('refuses limits a client could exploit', () => {
    expect(() => resolveWebsocketOptions({ auth: { secret: 'x'.repeat(32) }, rateLimit: { perSecond: 10, burst: 5 } })).toThrow(
      'rateLimit.burst',
    );
    expect(() => resolveWebsocketOptions({ auth: { secret: 'x'.repeat(32) }, maxPayloadBytes: 0 })).toThrow('maxPayloadBytes');
  });

  describe('redis', () => {
    const auth = { secret: 'x'.repeat(32) };
    const sentinels = [
      { host: '10.0.0.1', port: 26379 },
      { host: '10.0.0.2', port: 26379 },
    ];

    it('keeps the url form as it was, now with optional credentials', () => {
      expect(resolveWebsocketOptions({ auth, redis: { url: 'redis://h:6379' } }).redis).toMatchObject({
        url: 'redis://h:6379',
        keyPrefix: 'rt:',
        connectTimeoutMs: 3000,
      });
      expect(resolveWebsocketOptions({ auth, redis: { url: 'redis://h:6379', username: 'app', password: 'pw' } }).redis).toMatchObject({
        username: 'app',
        password: 'pw',
      });
      expect(() => resolveWebsocketOptions({ auth, redis: { url: 'h:6379' } })).toThrow('redis.url: must be a redis:// or rediss:// URL');
    });

    it('takes the sentinels and the primary name instead of a url, defaulting the name to mymaster', () => {
      expect(resolveWebsocketOptions({ auth, redis: { sentinels } }).redis).toMatchObject({
        sentinels,
        name: 'mymaster',
        keyPrefix: 'rt:',
      });
      expect(resolveWebsocketOptions({ auth, redis: { sentinels, name: 'chat', password: 'pw' } }).redis).toMatchObject({
        name: 'chat',
        password: 'pw',
      });
    });

    it('refuses more than one of a url, sentinels and cluster nodes, and none', () => {
      const exactlyOne = 'redis: exactly one of url, sentinels and clusterNodes is required';
      const both = { url: 'redis://h:6379', sentinels } as unknown as { url: string };
      expect(() => resolveWebsocketOptions({ auth, redis: both })).toThrow(exactlyOne);
      const cluster = { sentinels, clusterNodes: [{ host: 'h', port: 7000 }] } as unknown as { url: string };
      expect(() => resolveWebsocketOptions({ auth, redis: cluster })).toThrow(exactlyOne);
      expect(() => resolveWebsocketOptions({ auth, redis: {} as { url: string } })).toThrow(exactlyOne);
      expect(() => resolveWebsocketOptions({ auth, redis: { clusterNodes: [] } })).toThrow('redis.clusterNodes');
      expect(() => resolveWebsocketOptions({ auth, redis: { sentinels: [] } })).toThrow('redis.sentinels');
      expect(() => resolveWebsocketOptions({ auth, redis: { sentinels: [{ host: 'h', port: 0 }] } })).toThrow('redis.sentinels.0.port');
    });

    it('refuses credentials in the url and in the options at once, without repeating the password', () => {
      const attempt = () => resolveWebsocketOptions({ auth, redis: { url: 'redis://:url-secret@h:6379', password: 'option-secret' } });
      expect(attempt).toThrow('redis.password: credentials go in the url or in username and password, not both');
      expect(attempt).not.toThrow(/secret/);
    });
  });
});

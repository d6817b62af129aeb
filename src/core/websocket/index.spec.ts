import * as api from './index.js';

describe('public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'ConnectionManager',
        'ConnectionRegistry',
        'CurrentUser',
        'ErrorCode',
        'InMemoryConnectionRegistry',
        'JWT_ALGORITHMS',
        'MessageRouter',
        'OnMessage',
        'RealtimeEmitter',
        'RealtimeEvents',
        'RealtimeException',
        'RealtimeGateway',
        'RealtimeHandler',
        'RealtimeMetrics',
        'ShutdownDrainer',
        'NodeLiveness',
        'RedisClients',
        'RedisConnectionRegistry',
        'RedisIoAdapter',
        'SessionService',
        'SocketServerHost',
        'TokenVerifier',
        'WEBSOCKET_OPTIONS',
        'WebsocketModule',
        'WsJwtAuthGuard',
        'WsLoggingInterceptor',
        'defaultAlgorithmFor',
        'defineContract',
        'errorBodySchema',
        'messageValidationPipe',
        'parseModuleOptions',
        'sessionContract',
        'rooms',
        'toErrorBody',
        'utf16String',
      ].sort(),
    );
  });
});

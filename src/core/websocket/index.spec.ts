import * as api from './index.js';
import type { RealtimePushEvents } from './index.js';
// @ts-expect-error The core's server-to-client map is `RealtimePushEvents`; `ServerToClientEvents` is the client's (`nest-realtime/client`).
import type { ServerToClientEvents as _ServerToClientEvents } from './index.js';

describe('public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'ConnectedSocket',
        'ConnectionManager',
        'CurrentUser',
        'ErrorCode',
        'JWT_ALGORITHMS',
        'MessageBody',
        'OnMessage',
        'RealtimeEmitter',
        'RealtimeEvents',
        'RealtimeException',
        'RealtimeHandler',
        'RedisIoAdapter',
        'WebsocketModule',
        'WsJwtAuthGuard',
        'currentTenant',
        'defaultAlgorithmFor',
        'defineContract',
        'errorBodySchema',
        'isTenant',
        'rooms',
        'runInTenant',
        'scopedKey',
        'sessionContract',
      ].sort(),
    );
  });

  it("types the core's pushes as RealtimePushEvents (checked by tsc)", () => {
    const shutdown: Parameters<RealtimePushEvents['server:shutdown']>[0] = { reconnectAfterMs: 0 };
    expect(shutdown).toEqual({ reconnectAfterMs: 0 });
  });
});

import * as publisher from './index.js';

describe('publisher public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(publisher).sort()).toEqual([
      'InjectRealtimePublisher',
      'MAX_PUBLISH_USERS',
      'PublishError',
      'REALTIME_PUBLISHER',
      'RealtimePublisherModule',
      'createRealtimePublisher',
    ]);
  });
});

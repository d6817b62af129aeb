import * as http from './index.js';

describe('http public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(http).sort()).toEqual([
      'PublishErrorsFilter',
      'RealtimeAsyncApi',
      'RealtimeHealth',
      'RealtimeHttpModule',
      'RealtimePublishController',
    ]);
  });
});

import { ConsoleLogger, Logger } from '@nestjs/common';
import { WsLoggingInterceptor } from './ws-logging.interceptor.js';

describe('WsLoggingInterceptor.enabledAt', () => {
  afterEach(() => Logger.overrideLogger(false));

  it("asks Nest's logger at most once a second, and sees a level change after that", () => {
    Logger.overrideLogger(new ConsoleLogger({ logLevels: ['log'] }));
    const logging = new WsLoggingInterceptor();
    expect(logging.enabledAt(0)).toBe(false);
    Logger.overrideLogger(new ConsoleLogger({ logLevels: ['log', 'debug'] }));
    expect(logging.enabledAt(999)).toBe(false);
    expect(logging.enabledAt(1000)).toBe(true);
  });
});

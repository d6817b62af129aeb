import { reconnectSpreadMs } from './shutdown-drainer.service.js';

describe('reconnectSpreadMs', () => {
  it('spreads the clients to arrive elsewhere at 1,000 a second', () => {
    expect(reconnectSpreadMs(1, 10_000)).toBe(1);
    expect(reconnectSpreadMs(500, 10_000)).toBe(500);
    expect(reconnectSpreadMs(5_000, 10_000)).toBe(5_000);
  });

  it('leaves the last client two seconds of the grace period for its handshake', () => {
    expect(reconnectSpreadMs(15_000, 10_000)).toBe(8_000);
    expect(reconnectSpreadMs(100_000, 30_000)).toBe(28_000);
  });

  it('uses half of a short grace period', () => {
    expect(reconnectSpreadMs(15_000, 3_000)).toBe(1_500);
    expect(reconnectSpreadMs(15_000, 0)).toBe(0);
  });
});

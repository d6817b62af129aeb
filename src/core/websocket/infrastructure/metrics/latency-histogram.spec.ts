import { LatencyHistogram } from './latency-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1];

describe('LatencyHistogram', () => {
  it('counts a value in the first bucket whose bound is at least the value, and past the last bound in +Inf', () => {
    const histogram = new LatencyHistogram(BUCKETS);
    const series = histogram.seriesOf('chat:send');
    for (const value of [0.0005, 0.001, 0.0011, 0.05, 0.1, 3]) histogram.observe(series, value);
    expect([...series.counts]).toEqual([2, 1, 2, 1]);
    expect(series.count).toBe(6);
    expect(series.sum).toBeCloseTo(3.1526, 10);
  });

  it('keeps one series per label value, listed in the order each was first asked for', () => {
    const histogram = new LatencyHistogram(BUCKETS);
    const send = histogram.seriesOf('chat:send');
    expect(histogram.seriesOf('chat:send')).toBe(send);
    histogram.observe(histogram.seriesOf('presence:query'), 0.002);
    histogram.observe(send, 0.02);
    expect([...histogram.series.keys()]).toEqual(['chat:send', 'presence:query']);
    expect([...histogram.series.get('presence:query')!.counts]).toEqual([0, 1, 0, 0]);
    expect([...histogram.series.get('chat:send')!.counts]).toEqual([0, 0, 1, 0]);
  });

  it('shows its bucket bounds, without +Inf', () => {
    expect(new LatencyHistogram(BUCKETS).buckets).toEqual(BUCKETS);
  });
});

import { Histogram, Registry } from 'prom-client';
import { LatencyHistogram } from './latency-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1];
const OBSERVED: Array<[string, number]> = [
  ['chat:send', 0.0005],
  ['chat:send', 0.001],
  ['chat:send', 0.05],
  ['chat:send', 3],
  ['presence:query', 0.002],
];

/** The exposition text without HELP/TYPE lines, sorted, with labels in one order. */
function samples(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.replace(/\{(.*)\}/, (_all, labels: string) => `{${labels.split(',').sort().join(',')}}`))
    .sort();
}

describe('LatencyHistogram', () => {
  it("renders exactly what prom-client's Histogram renders for the same observations", async () => {
    const ours = new Registry();
    const histogram = new LatencyHistogram('op_seconds', 'Op time', 'event', BUCKETS, ours);
    const theirs = new Registry();
    const reference = new Histogram({ name: 'op_seconds', help: 'Op time', labelNames: ['event'], buckets: BUCKETS, registers: [theirs] });
    for (const [event, value] of OBSERVED) {
      histogram.observe(histogram.seriesOf(event), value);
      reference.observe({ event }, value);
    }
    const text = await ours.metrics();
    expect(text).toContain('# TYPE op_seconds histogram');
    expect(text).toContain('op_seconds_bucket{le="0.001",event="chat:send"} 2');
    expect(text).toContain('op_seconds_bucket{le="+Inf",event="chat:send"} 4');
    expect(text).toContain('op_seconds_count{event="presence:query"} 1');
    expect(samples(text)).toEqual(samples(await theirs.metrics()));
  });

  it('keeps one series per label value, and zeroes them in place on reset', async () => {
    const registry = new Registry();
    const histogram = new LatencyHistogram('op_seconds', 'Op time', 'event', BUCKETS, registry);
    const series = histogram.seriesOf('a');
    expect(histogram.seriesOf('a')).toBe(series);
    histogram.observe(series, 0.5);
    registry.resetMetrics();
    histogram.observe(series, 0.005);
    expect(series.count).toBe(1);
    expect(await registry.metrics()).toContain('op_seconds_bucket{le="0.01",event="a"} 1');
  });
});

// Latency histograms in microseconds (HdrHistogram, 3 significant digits).
import hdr from 'hdr-histogram-js';

export function histogram() {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 32 });
}

/** The percentiles the report uses, in milliseconds. */
export function summary(h) {
  if (h.totalCount === 0) return { count: 0 };
  const ms = (us) => Math.round(us) / 1000;
  return {
    count: h.totalCount,
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}

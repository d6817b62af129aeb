// Latency histograms in microseconds (HdrHistogram, 3 significant digits).
import hdr from 'hdr-histogram-js';

const SETTINGS = { lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 32 };

export function histogram() {
  return hdr.build(SETTINGS);
}

/** The whole histogram, compressed (HdrHistogram's base64 format), so rounds can be pooled later. */
export function encode(h) {
  return hdr.encodeIntoCompressedBase64(h);
}

/** One histogram of every recorded value of the given encoded histograms. */
export function pooled(encoded) {
  const all = histogram();
  for (const text of encoded) all.add(hdr.decodeFromCompressedBase64(text, 32));
  return all;
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

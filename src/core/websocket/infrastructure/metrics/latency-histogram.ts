/** One labelled series: how many observations fell in each bucket (the last is +Inf), their sum and count. */
export interface LatencySeries {
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A histogram with one label, for a value observed on every event. The
 * caller keeps the series it observes into, so an observation is a bucket
 * search and three additions: no labels are validated or hashed. It knows
 * nothing of Prometheus; an exporter reads `buckets` and `series` when it is
 * scraped.
 */
export class LatencyHistogram {
  private readonly byLabel = new Map<string, LatencySeries>();

  /** `buckets` are the upper bounds, ascending, without +Inf. */
  constructor(readonly buckets: readonly number[]) {}

  /** Every series by label value, in the order each was first asked for. */
  get series(): ReadonlyMap<string, Readonly<LatencySeries>> {
    return this.byLabel;
  }

  /** The series for one label value, created on first use; keep it and pass it to `observe`. */
  seriesOf(labelValue: string): LatencySeries {
    let series = this.byLabel.get(labelValue);
    if (!series) {
      series = { counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
      this.byLabel.set(labelValue, series);
    }
    return series;
  }

  /** Counts `value` in the first bucket whose bound is at least `value` (Prometheus' `le`), or in +Inf. */
  observe(series: LatencySeries, value: number): void {
    const { buckets } = this;
    let bucket = 0;
    while (bucket < buckets.length && value > buckets[bucket]!) bucket++;
    series.counts[bucket]! += 1;
    series.sum += value;
    series.count += 1;
  }
}

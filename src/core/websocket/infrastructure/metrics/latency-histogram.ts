import type { Metric, Registry } from 'prom-client';

/** One labelled series: how many observations fell in each bucket (the last is +Inf), their sum and count. */
export interface LatencySeries {
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A Prometheus histogram with one label, for a value observed on every
 * event. prom-client's `Histogram` validates and hashes the labels on every
 * `observe`, even through a labelled child; here the caller keeps the
 * series it observes into, and an observation is a bucket search and three
 * additions. Registered in a prom-client `Registry` like any of its metrics
 * (the registry reads `name`, `help`, `type`, `get()` and `reset()`), and
 * exposed in the same text format.
 */
export class LatencyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, LatencySeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelName: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series for one label value, created on first use; keep it and pass it to `observe`. */
  seriesOf(labelValue: string): LatencySeries {
    let series = this.series.get(labelValue);
    if (!series) {
      series = { counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
      this.series.set(labelValue, series);
    }
    return series;
  }

  observe(series: LatencySeries, value: number): void {
    const { buckets } = this;
    let bucket = 0;
    while (bucket < buckets.length && value > buckets[bucket]!) bucket++;
    series.counts[bucket]! += 1;
    series.sum += value;
    series.count += 1;
  }

  /** What the registry renders: cumulative `_bucket` lines ending in `+Inf`, then `_sum` and `_count`, per label value. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    for (const [labelValue, series] of this.series) {
      let cumulative = 0;
      for (let i = 0; i <= this.buckets.length; i++) {
        cumulative += series.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: i < this.buckets.length ? this.buckets[i]! : '+Inf', [this.labelName]: labelValue }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: { [this.labelName]: labelValue }, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: { [this.labelName]: labelValue }, value: series.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Zeroes every series in place: callers keep the series they hold. */
  reset(): void {
    for (const series of this.series.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}

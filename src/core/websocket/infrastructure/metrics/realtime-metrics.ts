import { Inject, Injectable } from '@nestjs/common';
import { EventMetrics } from '../../application/ports/event-metrics.port.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { RedisClients } from '../redis/redis-clients.js';
import { LatencyHistogram, type LatencySeries } from './latency-histogram.js';

/** Upper bounds, in seconds, of the buckets of the event latency histogram. */
const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** The counts of one event and outcome, kept by whoever counts it often (the router keeps one per route for `OK`). */
export interface EventSeries {
  readonly labels: { readonly event: string; readonly outcome: string };
  /** Events of this name and outcome since the node started. */
  total: number;
  /** The latency of every event of this name, whatever its outcome. */
  readonly latency: LatencySeries;
}

/**
 * What this node counts about its sockets and events, in plain numbers and
 * maps. It does not depend on any metrics library: an exporter (such as the
 * Prometheus one behind `GET /metrics`) reads the accessors below when it is
 * scraped.
 */
@Injectable()
export class RealtimeMetrics extends EventMetrics<EventSeries> {
  readonly nodeId: string;
  readonly redisEnabled: boolean;
  private readonly latency = new LatencyHistogram(LATENCY_BUCKETS);
  private readonly handshakesByOutcome = new Map<string, number>();
  /**
   * Event names are the routed ones plus `unknown`, and outcomes the error
   * codes: a bounded set. Keyed by the event name alone for `OK`, so the
   * common lookup builds no string.
   */
  private readonly eventSeries = new Map<string, EventSeries>();
  private rateLimitedTotal = 0;
  private slowConsumerTotal = 0;
  /** Pushes published from outside (`POST /realtime/publish`) by event and outcome; an unknown event counts as `unknown`. */
  private readonly publishedBy = new Map<string, { event: string; outcome: string; total: number }>();

  constructor(redis: RedisClients, @Inject(WEBSOCKET_OPTIONS) options: ResolvedWebsocketOptions) {
    super();
    this.nodeId = options.nodeId;
    this.redisEnabled = redis.enabled;
  }

  /** Handshakes by outcome (`ok` or the refusal code), in the order each outcome first happened. */
  get handshakes(): ReadonlyMap<string, number> {
    return this.handshakesByOutcome;
  }

  /** Every event series (labels, total and latency series), in the order each was first counted. */
  get events(): Iterable<Readonly<EventSeries>> {
    return this.eventSeries.values();
  }

  /** Upper bounds of the latency buckets, in seconds, ascending and without +Inf. */
  get latencyBuckets(): readonly number[] {
    return this.latency.buckets;
  }

  /** Latency by event name: per-bucket counts (the last is +Inf, not cumulative), sum and count. */
  get latencySeries(): ReadonlyMap<string, Readonly<LatencySeries>> {
    return this.latency.series;
  }

  /** Client events refused by the rate limit (they are in `events` as well, with outcome `RATE_LIMITED`). */
  get rateLimited(): number {
    return this.rateLimitedTotal;
  }

  /** Connections dropped because what waited to be sent to them grew too large. */
  get slowConsumers(): number {
    return this.slowConsumerTotal;
  }

  /** Published pushes by event and outcome (`accepted`, or the refusal: `BAD_REQUEST`, `UNAUTHORIZED`), in first-seen order. */
  get published(): Iterable<Readonly<{ event: string; outcome: string; total: number }>> {
    return this.publishedBy.values();
  }

  /** Counts one publish; `event` must be a known event or `unknown`, so the label set stays bounded. */
  publish(event: string, outcome: string): void {
    const key = `${event}\u0000${outcome}`;
    const series = this.publishedBy.get(key) ?? { event, outcome, total: 0 };
    series.total++;
    this.publishedBy.set(key, series);
  }

  handshake(outcome: string): void {
    this.handshakesByOutcome.set(outcome, (this.handshakesByOutcome.get(outcome) ?? 0) + 1);
  }

  slowConsumer(): void {
    this.slowConsumerTotal++;
  }

  /** Counts one event by its name and outcome: a map lookup, a count and a bucket; no labels are hashed. */
  override event(event: string, outcome: string, seconds: number): void {
    this.count(this.seriesOf(event, outcome), seconds);
    if (outcome === 'RATE_LIMITED') this.rateLimitedTotal++;
  }

  /** The series of one event and outcome, created on first use; keep it and pass it to `count`. */
  override seriesOf(event: string, outcome: string): EventSeries {
    const key = outcome === 'OK' ? event : `${event}\u0000${outcome}`;
    let series = this.eventSeries.get(key);
    if (!series) {
      series = { labels: { event, outcome }, total: 0, latency: this.latency.seriesOf(event) };
      this.eventSeries.set(key, series);
    }
    return series;
  }

  /** Counts one event into a series from `seriesOf`, which must not be `RATE_LIMITED`'s. */
  override count(series: EventSeries, seconds: number): void {
    series.total++;
    this.latency.observe(series.latency, seconds);
  }
}

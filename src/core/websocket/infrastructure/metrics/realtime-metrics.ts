import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { SocketServerHost } from '../../application/services/socket-server.host.js';
import { WEBSOCKET_OPTIONS } from '../../websocket.module-definition.js';
import type { ResolvedWebsocketOptions } from '../../websocket.options.js';
import { RedisClients } from '../redis/redis-clients.js';
import { LatencyHistogram, type LatencySeries } from './latency-histogram.js';

/** Events nobody routes share one label: clients choose event names, and labels must stay few. */
export const UNKNOWN_EVENT_LABEL = 'unknown';

/** The counts of one event and outcome, kept by whoever counts it often (the router keeps one per route for `OK`). */
export interface EventSeries {
  readonly labels: { event: string; outcome: string };
  pending: number;
  readonly latency: LatencySeries;
}

/**
 * The node's Prometheus metrics, in a registry of its own (several apps may
 * share a process in tests). Served by the app at `GET /metrics`.
 */
@Injectable()
export class RealtimeMetrics {
  readonly registry = new Registry();
  private readonly handshakes: Counter<'outcome'>;
  private readonly latency: LatencyHistogram;
  private readonly rateLimited: Counter;
  /**
   * Event names are the routed ones plus `unknown`, and outcomes the error
   * codes: a bounded set. Counted here on every event, and added to the
   * prom-client counter when it is collected (on a scrape).
   */
  private readonly eventSeries = new Map<string, EventSeries>();
  private readonly slowConsumers: Counter;

  constructor(host: SocketServerHost, redis: RedisClients, @Inject(WEBSOCKET_OPTIONS) options: ResolvedWebsocketOptions) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'realtime_sockets',
      help: 'Sockets connected to this node',
      registers,
      collect() {
        this.set(host.started ? host.server.of('/').sockets.size : 0);
      },
    });
    new Gauge({
      name: 'realtime_redis_up',
      help: '1 while every Redis connection is ready (or Redis is not configured), 0 otherwise',
      registers,
      collect() {
        this.set(redis.healthy ? 1 : 0);
      },
    });
    new Gauge({ name: 'realtime_node_info', help: "This node's id", labelNames: ['node_id', 'redis'], registers }).set(
      { node_id: options.nodeId, redis: redis.enabled ? 'yes' : 'no' },
      1,
    );
    this.handshakes = new Counter({ name: 'realtime_handshakes_total', help: 'Handshakes by outcome (ok or the refusal code)', labelNames: ['outcome'], registers });
    const eventSeries = this.eventSeries;
    new Counter({
      name: 'realtime_events_total',
      help: 'Client events by event and outcome (OK or the error code)',
      labelNames: ['event', 'outcome'],
      registers,
      collect() {
        for (const series of eventSeries.values()) {
          if (series.pending === 0) continue;
          this.inc(series.labels, series.pending);
          series.pending = 0;
        }
      },
    });
    this.latency = new LatencyHistogram(
      'realtime_event_duration_seconds',
      'Time from receiving a client event to its reply',
      'event',
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      this.registry,
    );
    this.rateLimited = new Counter({ name: 'realtime_rate_limited_total', help: 'Client events refused by the rate limit', registers });
    this.slowConsumers = new Counter({
      name: 'realtime_slow_consumer_disconnects_total',
      help: 'Connections dropped because what waited to be sent to them passed maxOutgoingBufferBytes',
      registers,
    });
  }

  handshake(outcome: string): void {
    this.handshakes.inc({ outcome });
  }

  slowConsumer(): void {
    this.slowConsumers.inc();
  }

  /** Counts one event by its name and outcome: a map lookup, a count and a bucket; no labels are hashed. */
  event(event: string, outcome: string, seconds: number): void {
    this.count(this.seriesOf(event, outcome), seconds);
    if (outcome === 'RATE_LIMITED') this.rateLimited.inc();
  }

  /** The series of one event and outcome, created on first use; keep it and pass it to `count`. */
  seriesOf(event: string, outcome: string): EventSeries {
    const key = outcome === 'OK' ? event : `${event}\u0000${outcome}`;
    let series = this.eventSeries.get(key);
    if (!series) {
      series = { labels: { event, outcome }, pending: 0, latency: this.latency.seriesOf(event) };
      this.eventSeries.set(key, series);
    }
    return series;
  }

  /** Counts one event into a series from `seriesOf`, which must not be `RATE_LIMITED`'s. */
  count(series: EventSeries, seconds: number): void {
    series.pending++;
    this.latency.observe(series.latency, seconds);
  }
}

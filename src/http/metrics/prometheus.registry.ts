import type { FactoryProvider } from '@nestjs/common';
import type { Metric, Registry } from 'prom-client';
import { SocketServerHost } from '../../core/websocket/application/services/socket-server.host.js';
import { RealtimeMetrics } from '../../core/websocket/infrastructure/metrics/realtime-metrics.js';
import { RedisClients } from '../../core/websocket/infrastructure/redis/redis-clients.js';
import { loadOptionalPeer } from '../../core/websocket/infrastructure/optional-peer.js';

/** The token of the node's Prometheus registry, made by `prometheusRegistryProvider`. */
export const PROMETHEUS_REGISTRY = Symbol('PROMETHEUS_REGISTRY');

type PromClient = typeof import('prom-client');

/** Where the registry reads its values when it is scraped. */
export interface PrometheusSources {
  metrics: RealtimeMetrics;
  host: Pick<SocketServerHost, 'started' | 'server'>;
  redis: Pick<RedisClients, 'healthy'>;
}

const importPromClient = (): Promise<PromClient> => import('prom-client');

/**
 * A fresh Prometheus registry (several apps may share a process in tests)
 * with the default process metrics and the node's realtime metrics, all read
 * from `sources` when it is scraped. `prom-client` is an optional peer
 * dependency: it is imported here, only by apps that serve `GET /metrics`.
 */
export async function createPrometheusRegistry(
  { metrics, host, redis }: PrometheusSources,
  load: () => Promise<PromClient> = importPromClient,
): Promise<Registry> {
  const { Registry, Counter, Gauge, collectDefaultMetrics } = await loadOptionalPeer('prom-client', 'GET /metrics', load);
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
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
    { node_id: metrics.nodeId, redis: metrics.redisEnabled ? 'yes' : 'no' },
    1,
  );
  // Each counter holds a copy of totals kept in RealtimeMetrics: every collect
  // starts over from them, so a registry reset cannot lose counts.
  const totals = (name: string, help: string, labelNames: string[], read: () => Iterable<[Record<string, string>, number]>) =>
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const [labels, total] of read()) if (total > 0) this.inc(labels, total);
      },
    });
  totals('realtime_handshakes_total', 'Handshakes by outcome (ok or the refusal code)', ['outcome'], () =>
    Array.from(metrics.handshakes, ([outcome, total]) => [{ outcome }, total]),
  );
  totals('realtime_events_total', 'Client events by event and outcome (OK or the error code)', ['event', 'outcome'], () =>
    Array.from(metrics.events, (series) => [series.labels, series.total]),
  );
  registry.registerMetric(
    latencyHistogram('realtime_event_duration_seconds', 'Time from receiving a client event to its reply', 'event', metrics),
  );
  totals('realtime_rate_limited_total', 'Client events refused by the rate limit', [], () => [[{}, metrics.rateLimited]]);
  totals(
    'realtime_slow_consumer_disconnects_total',
    'Connections dropped because what waited to be sent to them passed maxOutgoingBufferBytes',
    [],
    () => [[{}, metrics.slowConsumers]],
  );
  totals('realtime_published_total', 'Pushes published through POST /realtime/publish, by event and outcome', ['event', 'outcome'], () =>
    Array.from(metrics.published, ({ event, outcome, total }) => [{ event, outcome }, total]),
  );
  return registry;
}

/** The node's Prometheus registry, for `RealtimeMetricsController`; the app fails to start if `prom-client` is missing. */
export const prometheusRegistryProvider: FactoryProvider = {
  provide: PROMETHEUS_REGISTRY,
  useFactory: async (metrics: RealtimeMetrics, host: SocketServerHost, redis: RedisClients): Promise<Registry> =>
    createPrometheusRegistry({ metrics, host, redis }),
  inject: [RealtimeMetrics, SocketServerHost, RedisClients],
};

interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * RealtimeMetrics' latency histogram as a prom-client metric: the registry
 * renders any object with `name`, `help`, `type` and `get()` (and calls
 * `reset()` on a registry reset, a no-op here as the counts are not ours).
 * Gives cumulative `_bucket` lines ending in `+Inf`, then `_sum` and
 * `_count`, per label value, as prom-client's `Histogram` does.
 */
function latencyHistogram(name: string, help: string, labelName: string, metrics: RealtimeMetrics): Metric {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      const buckets = metrics.latencyBuckets;
      const values: Sample[] = [];
      for (const [labelValue, series] of metrics.latencySeries) {
        let cumulative = 0;
        for (let i = 0; i <= buckets.length; i++) {
          cumulative += series.counts[i]!;
          values.push({
            metricName: `${name}_bucket`,
            labels: { le: i < buckets.length ? buckets[i]! : '+Inf', [labelName]: labelValue },
            value: cumulative,
          });
        }
        values.push({ metricName: `${name}_sum`, labels: { [labelName]: labelValue }, value: series.sum });
        values.push({ metricName: `${name}_count`, labels: { [labelName]: labelValue }, value: series.count });
      }
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
    reset() {},
  };
  return metric as unknown as Metric;
}

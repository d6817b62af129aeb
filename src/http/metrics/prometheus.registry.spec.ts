import { Test } from '@nestjs/testing';
import { Histogram, Registry } from 'prom-client';
import { SocketServerHost } from '../../core/websocket/application/services/socket-server.host.js';
import { RealtimeMetrics } from '../../core/websocket/infrastructure/metrics/realtime-metrics.js';
import { RedisClients } from '../../core/websocket/infrastructure/redis/redis-clients.js';
import type { ResolvedWebsocketOptions } from '../../core/websocket/websocket.options.js';
import {
  createPrometheusRegistry,
  PROMETHEUS_REGISTRY,
  prometheusRegistryProvider,
  type PrometheusSources,
} from './prometheus.registry.js';

const MISSING = 'nest-realtime: GET /metrics needs the optional peer dependency "prom-client"; install it with: npm install prom-client';

function sources({ sockets = 0, healthy = true, redis = false } = {}): PrometheusSources {
  const metrics = new RealtimeMetrics({ enabled: redis } as RedisClients, { nodeId: 'node-a' } as ResolvedWebsocketOptions);
  const host = { started: sockets > 0, server: { of: () => ({ sockets: { size: sockets } }) } } as unknown as PrometheusSources['host'];
  return { metrics, host, redis: { healthy } };
}

/** The sample lines of one metric family, with labels in one order, sorted. */
function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(name) && (line[name.length] === '{' || line[name.length] === ' ' || line[name.length] === '_'))
    .map((line) => line.replace(/\{(.*)\}/, (_all, labels: string) => `{${labels.split(',').sort().join(',')}}`))
    .sort();
}

function moduleNotFound(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('createPrometheusRegistry', () => {
  it('serves the counted handshakes, events, rate limits and slow consumers as Prometheus text', async () => {
    const s = sources({ sockets: 3 });
    const { metrics } = s;
    metrics.handshake('ok');
    metrics.handshake('UNAUTHORIZED');
    metrics.handshake('ok');
    const ok = metrics.seriesOf('chat:send', 'OK');
    metrics.count(ok, 0.002);
    metrics.count(ok, 0.003);
    metrics.event('chat:send', 'RATE_LIMITED', 0.0001);
    metrics.event('unknown', 'UNKNOWN_EVENT', 0.0002);
    metrics.slowConsumer();

    const registry = await createPrometheusRegistry(s);
    const text = await registry.metrics();

    expect(text).toContain('realtime_sockets 3');
    expect(text).toContain('realtime_redis_up 1');
    expect(text).toContain('realtime_node_info{node_id="node-a",redis="no"} 1');
    expect(samples(text, 'realtime_handshakes_total')).toEqual([
      'realtime_handshakes_total{outcome="UNAUTHORIZED"} 1',
      'realtime_handshakes_total{outcome="ok"} 2',
    ]);
    expect(text).toContain(
      [
        'realtime_events_total{event="chat:send",outcome="OK"} 2',
        'realtime_events_total{event="chat:send",outcome="RATE_LIMITED"} 1',
        'realtime_events_total{event="unknown",outcome="UNKNOWN_EVENT"} 1',
      ].join('\n'),
    );
    expect(text).toContain('realtime_event_duration_seconds_bucket{le="0.0025",event="chat:send"} 2');
    expect(text).toContain('realtime_event_duration_seconds_count{event="chat:send"} 3');
    expect(text).toContain('realtime_event_duration_seconds_count{event="unknown"} 1');
    expect(text).toContain('realtime_rate_limited_total 1');
    expect(text).toContain('realtime_slow_consumer_disconnects_total 1');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('names every metric with the help text and type it has always had, in the same order', async () => {
    const text = await (await createPrometheusRegistry(sources())).metrics();
    const realtime = text.split('\n').filter((line) => line.startsWith('# ') && line.includes(' realtime_'));
    expect(realtime).toEqual([
      '# HELP realtime_sockets Sockets connected to this node',
      '# TYPE realtime_sockets gauge',
      '# HELP realtime_redis_up 1 while every Redis connection is ready (or Redis is not configured), 0 otherwise',
      '# TYPE realtime_redis_up gauge',
      "# HELP realtime_node_info This node's id",
      '# TYPE realtime_node_info gauge',
      '# HELP realtime_handshakes_total Handshakes by outcome (ok or the refusal code)',
      '# TYPE realtime_handshakes_total counter',
      '# HELP realtime_events_total Client events by event and outcome (OK or the error code)',
      '# TYPE realtime_events_total counter',
      '# HELP realtime_event_duration_seconds Time from receiving a client event to its reply',
      '# TYPE realtime_event_duration_seconds histogram',
      '# HELP realtime_rate_limited_total Client events refused by the rate limit',
      '# TYPE realtime_rate_limited_total counter',
      '# HELP realtime_slow_consumer_disconnects_total Connections dropped because what waited to be sent to them passed maxOutgoingBufferBytes',
      '# TYPE realtime_slow_consumer_disconnects_total counter',
      '# HELP realtime_published_total Pushes published through POST /realtime/publish, by event and outcome',
      '# TYPE realtime_published_total counter',
    ]);
  });

  it('shows nothing counted as no labelled series and zero totals, with no sockets before the server starts', async () => {
    const text = await (await createPrometheusRegistry(sources({ healthy: false, redis: true }))).metrics();
    expect(text).toContain('realtime_sockets 0');
    expect(text).toContain('realtime_redis_up 0');
    expect(text).toContain('realtime_node_info{node_id="node-a",redis="yes"} 1');
    expect(samples(text, 'realtime_handshakes_total')).toEqual([]);
    expect(samples(text, 'realtime_events_total')).toEqual([]);
    expect(samples(text, 'realtime_event_duration_seconds')).toEqual([]);
    expect(text).toContain('realtime_rate_limited_total 0');
    expect(text).toContain('realtime_slow_consumer_disconnects_total 0');
  });

  it("renders the latency exactly as prom-client's Histogram renders the same observations", async () => {
    const s = sources();
    const reference = new Histogram({
      name: 'realtime_event_duration_seconds',
      help: 'x',
      labelNames: ['event'],
      buckets: [...s.metrics.latencyBuckets],
      registers: [new Registry()],
    });
    const observed: Array<[string, string, number]> = [
      ['chat:send', 'OK', 0.0005],
      ['chat:send', 'OK', 0.001],
      ['chat:send', 'BAD_REQUEST', 0.05],
      ['chat:send', 'OK', 3],
      ['presence:query', 'OK', 0.002],
    ];
    for (const [event, outcome, seconds] of observed) {
      s.metrics.event(event, outcome, seconds);
      reference.observe({ event }, seconds);
    }
    const ours = await (await createPrometheusRegistry(s)).metrics();
    const theirs = await reference.get();
    const expected = theirs.values.map(({ metricName, labels, value }) => {
      const names = Object.entries(labels).map(([name, label]) => `${name}="${label}"`);
      return `${metricName}{${names.sort().join(',')}} ${value}`;
    });
    expect(samples(ours, 'realtime_event_duration_seconds')).toEqual(expected.sort());
  });

  it('reads the counts again on every scrape, and a registry reset does not lose them', async () => {
    const s = sources();
    const registry = await createPrometheusRegistry(s);
    s.metrics.handshake('ok');
    s.metrics.event('chat:send', 'OK', 0.001);
    expect(await registry.metrics()).toContain('realtime_events_total{event="chat:send",outcome="OK"} 1');
    s.metrics.event('chat:send', 'OK', 0.001);
    s.metrics.slowConsumer();
    registry.resetMetrics();
    const text = await registry.metrics();
    expect(text).toContain('realtime_handshakes_total{outcome="ok"} 1');
    expect(text).toContain('realtime_events_total{event="chat:send",outcome="OK"} 2');
    expect(text).toContain('realtime_event_duration_seconds_count{event="chat:send"} 2');
    expect(text).toContain('realtime_slow_consumer_disconnects_total 1');
    // A second registry over the same counts sees them all.
    expect(await (await createPrometheusRegistry(s)).metrics()).toContain('realtime_events_total{event="chat:send",outcome="OK"} 2');
  });

  it('says how to install prom-client when it is missing, under Node or Jest', async () => {
    const node = moduleNotFound(
      'ERR_MODULE_NOT_FOUND',
      "Cannot find package 'prom-client' imported from /app/dist/http/metrics/prometheus.registry.js",
    );
    await expect(createPrometheusRegistry(sources(), () => Promise.reject(node))).rejects.toMatchObject({ message: MISSING, cause: node });
    const jest = moduleNotFound('MODULE_NOT_FOUND', "Cannot find module 'prom-client' from 'src/http/metrics/prometheus.registry.ts'");
    await expect(createPrometheusRegistry(sources(), () => Promise.reject(jest))).rejects.toMatchObject({ message: MISSING, cause: jest });
  });

  it('keeps the real error when prom-client is there but fails to load', async () => {
    const inside = moduleNotFound(
      'MODULE_NOT_FOUND',
      "Cannot find module 'tdigest'\nRequire stack:\n- /app/node_modules/prom-client/lib/summary.js",
    );
    await expect(createPrometheusRegistry(sources(), () => Promise.reject(inside))).rejects.toBe(inside);
    const broken = new SyntaxError('Unexpected token');
    await expect(createPrometheusRegistry(sources(), () => Promise.reject(broken))).rejects.toBe(broken);
  });
});

describe('prometheusRegistryProvider', () => {
  it('gives Nest a registry fed by the core providers', async () => {
    const { metrics, host, redis } = sources({ sockets: 2 });
    metrics.handshake('ok');
    const module = await Test.createTestingModule({
      providers: [
        prometheusRegistryProvider,
        { provide: RealtimeMetrics, useValue: metrics },
        { provide: SocketServerHost, useValue: host },
        { provide: RedisClients, useValue: redis },
      ],
    }).compile();
    const registry = module.get<Registry>(PROMETHEUS_REGISTRY);
    const text = await registry.metrics();
    expect(text).toContain('realtime_sockets 2');
    expect(text).toContain('realtime_handshakes_total{outcome="ok"} 1');
    await module.close();
  });
});

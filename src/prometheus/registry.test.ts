import { describe, expect, it } from 'vitest';
import { prometheusMetrics } from './prometheus-metrics.js';

/** The sample lines of an exposition, as `name{labels} value` strings without the comments. */
const samplesOf = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('mcpkit/prometheus: the metrics API rendered as Prometheus text', () => {
  it('renders counters, up-down counters, gauges and histograms with their families', async () => {
    const prom = prometheusMetrics();
    const meter = prom.meterProvider.getMeter('test');
    const calls = meter.createCounter('app.calls', { description: 'Calls\nmade \\ here' });
    calls.add(2, { route: 'a' });
    calls.add(3, { route: 'a' });
    calls.add(-1, { route: 'a' }); // a counter only goes up
    calls.add(Number.NaN, { route: 'a' });
    meter.createUpDownCounter('app.open').add(-4);
    meter.createGauge('app.temperature').record(21.5, { room: 'b' });
    const latency = meter.createHistogram('app.latency', { advice: { explicitBucketBoundaries: [1, 5] } });
    for (const value of [0.5, 1, 3, 7, -2]) latency.record(value, { route: 'a' });
    const text = await prom.text();
    expect(text).toContain('# HELP app_calls_total Calls\\nmade \\\\ here\n# TYPE app_calls_total counter\n');
    expect(text).toContain('# TYPE app_open gauge\n');
    expect(text).toContain('# TYPE app_latency histogram\n');
    expect(samplesOf(text)).toEqual([
      'app_calls_total{route="a"} 5',
      'app_open -4',
      'app_temperature{room="b"} 21.5',
      // Cumulative; 1 is in the bucket le="1"; the negative value is dropped.
      'app_latency_bucket{route="a",le="1"} 2',
      'app_latency_bucket{route="a",le="5"} 3',
      'app_latency_bucket{route="a",le="+Inf"} 4',
      'app_latency_sum{route="a"} 11.5',
      'app_latency_count{route="a"} 4',
    ]);
  });

  it('one label set is one series whatever the order of its attributes; values are escaped', async () => {
    const prom = prometheusMetrics({ prefix: 'svc' });
    const counter = prom.meterProvider.getMeter('test').createCounter('hits');
    counter.add(1, { b: 'y', a: 'x' });
    counter.add(1, { a: 'x', b: 'y' });
    counter.add(1, { a: 'x', b: 'y', gone: undefined });
    counter.add(1, { 'odd.name': 'say "hi"\\\n', n: 1 });
    expect(samplesOf(await prom.text())).toEqual([
      'svc_hits_total{a="x",b="y"} 3',
      'svc_hits_total{n="1",odd_name="say \\"hi\\"\\\\\\n"} 1',
    ]);
  });

  it('values cannot be crafted to land in another series', async () => {
    const prom = prometheusMetrics();
    const counter = prom.meterProvider.getMeter('test').createCounter('c');
    counter.add(1, { a: 'x', b: 'y' });
    counter.add(10, { a: 'x", b="y' });
    counter.add(100, { a: 'x1:by' });
    const samples = samplesOf(await prom.text());
    expect(samples).toHaveLength(3);
    expect(samples).toContain('c_total{a="x",b="y"} 1');
  });

  it('keeps at most maxSeriesPerMetric label sets; the rest count in the overflow series', async () => {
    const prom = prometheusMetrics({ maxSeriesPerMetric: 3 });
    const histogram = prom.meterProvider.getMeter('test').createHistogram('h');
    for (let i = 0; i < 1000; i++) histogram.record(1, { caller: `c${i}` });
    const counts = samplesOf(await prom.text()).filter((l) => l.startsWith('h_count'));
    expect(counts).toEqual([
      'h_count{caller="c0"} 1',
      'h_count{caller="c1"} 1',
      'h_count{caller="c2"} 1',
      'h_count{otel_metric_overflow="true"} 997',
    ]);
  });

  it('asks observables at each scrape; a callback that throws or never answers loses only its own values', async () => {
    const prom = prometheusMetrics({ collectTimeoutMs: 50 });
    const meter = prom.meterProvider.getMeter('test');
    let level = 1;
    meter.createObservableGauge('level').addCallback((result) => result.observe(level, { pool: 'p' }));
    meter.createObservableCounter('bytes').addCallback(() => {
      throw new Error('broken');
    });
    meter.createObservableUpDownCounter('stuck').addCallback(() => new Promise<void>(() => {}));
    const batched = meter.createObservableCounter('batched');
    meter.addBatchObservableCallback((result) => result.observe(batched, 7), [batched]);
    expect(samplesOf(await prom.text())).toEqual(['level{pool="p"} 1', 'batched_total 7']);
    level = 2;
    expect(samplesOf(await prom.text())).toEqual(['level{pool="p"} 2', 'batched_total 7']);
  });

  it('one instrument per name: the same kind is shared, another kind records nowhere', async () => {
    const prom = prometheusMetrics();
    const meter = prom.meterProvider.getMeter('a');
    meter.createCounter('shared').add(1);
    prom.meterProvider.getMeter('b').createCounter('shared').add(1);
    meter.createHistogram('shared_total').record(5);
    expect(samplesOf(await prom.text())).toEqual(['shared_total 2']);
  });

  it('answers GET and HEAD with the text format, and refuses other methods', async () => {
    const prom = prometheusMetrics();
    prom.meterProvider.getMeter('test').createCounter('x').add(1);
    const get = await prom.handler(new Request('http://h/metrics'));
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await get.text()).toContain('x_total 1\n');
    const head = await prom.handler(new Request('http://h/metrics', { method: 'HEAD' }));
    expect([head.status, await head.text()]).toEqual([200, '']);
    const post = await prom.handler(new Request('http://h/metrics', { method: 'POST' }));
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});

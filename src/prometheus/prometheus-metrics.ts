import type { MeterProvider } from '@opentelemetry/api';
import { MetricRegistry } from './registry.js';

export interface PrometheusMetricsOptions {
  /** Prepended to every metric name (`mcpkit` gives `mcpkit_mcp_server_operation_duration_count`). */
  prefix?: string;
  /**
   * Distinct label sets kept per metric; later ones count in one series labelled
   * `otel_metric_overflow="true"`. Default 2,000.
   */
  maxSeriesPerMetric?: number;
  /** Metrics kept; instruments created past it record nowhere. Default 1,000. */
  maxMetrics?: number;
  /** How long a scrape waits for observable callbacks; the late ones' values are left out. Default 5,000. */
  collectTimeoutMs?: number;
}

export interface PrometheusMetrics {
  /** Pass to `otelTelemetry({ meterProvider })`: every mcpkit metric lands here. */
  readonly meterProvider: MeterProvider;
  /** The current values in the Prometheus text exposition format (version 0.0.4). */
  text(): Promise<string>;
  /** `GET /metrics` as a web handler: mount it beside `/mcp` (`serveHttp`'s `routes`). */
  handler(request: Request): Promise<Response>;
  shutdown(): Promise<void>;
}

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * A meter provider of its own that Prometheus scrapes: metrics with no OpenTelemetry SDK, in the
 * application or behind this entry point (it implements the metrics API itself, and a record
 * costs a map lookup). Nothing listens on a port; the handler answers wherever it is mounted.
 */
export function prometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const registry = new MetricRegistry({
    prefix: options.prefix,
    maxSeriesPerMetric: options.maxSeriesPerMetric ?? 2000,
    maxMetrics: options.maxMetrics ?? 1000,
    collectTimeoutMs: options.collectTimeoutMs ?? 5000,
  });
  return {
    meterProvider: registry,
    text: () => registry.text(),
    async handler(request: Request): Promise<Response> {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return new Response('Method Not Allowed', { status: 405, headers: { allow: 'GET, HEAD' } });
      const body = await registry.text();
      return new Response(request.method === 'HEAD' ? null : body, {
        status: 200,
        headers: { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store' },
      });
    },
    shutdown: async () => {},
  };
}

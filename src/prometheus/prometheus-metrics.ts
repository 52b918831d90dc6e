import type { MeterProvider as MeterProviderApi } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

export interface PrometheusMetricsOptions {
  /** Prepended to every metric name (`mcpkit_` gives `mcpkit_mcp_server_operation_duration_seconds`). */
  prefix?: string;
}

export interface PrometheusMetrics {
  /** Pass to `otelTelemetry({ meterProvider })`: every mcpkit metric lands here. */
  readonly meterProvider: MeterProviderApi;
  /** The current values in the Prometheus text exposition format (version 0.0.4). */
  text(): Promise<string>;
  /** `GET /metrics` as a web handler: mount it beside `/mcp` (`serveHttp`'s `routes`). */
  handler(request: Request): Promise<Response>;
  shutdown(): Promise<void>;
}

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * A meter provider of its own that Prometheus scrapes: metrics without an OpenTelemetry SDK in the
 * application. Nothing listens on a port; the handler answers wherever it is mounted.
 */
export function prometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const reader = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const serializer = new PrometheusSerializer(options.prefix, false, undefined, true, true);
  const text = async (): Promise<string> => {
    const { resourceMetrics } = await reader.collect();
    return serializer.serialize(resourceMetrics);
  };
  return {
    meterProvider,
    text,
    async handler(request: Request): Promise<Response> {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return new Response('Method Not Allowed', { status: 405, headers: { allow: 'GET, HEAD' } });
      const body = await text();
      return new Response(request.method === 'HEAD' ? null : body, {
        status: 200,
        headers: { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store' },
      });
    },
    shutdown: () => meterProvider.shutdown(),
  };
}

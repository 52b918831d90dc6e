// mcpkit/prometheus: a `/metrics` endpoint in the Prometheus text format, with no OpenTelemetry SDK
// to set up: @opentelemetry/exporter-prometheus and @opentelemetry/sdk-metrics (optional peers).
export {
  type PrometheusMetrics,
  type PrometheusMetricsOptions,
  prometheusMetrics,
} from './prometheus-metrics.js';

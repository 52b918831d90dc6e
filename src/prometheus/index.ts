// mcpkit/prometheus: a `/metrics` endpoint in the Prometheus text format with no OpenTelemetry SDK:
// it implements the metrics API's MeterProvider itself and loads no OpenTelemetry package.
export {
  type PrometheusMetrics,
  type PrometheusMetricsOptions,
  prometheusMetrics,
} from './prometheus-metrics.js';

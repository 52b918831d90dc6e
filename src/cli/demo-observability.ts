import type { Telemetry } from '../engine/telemetry.js';

export interface DemoObservability {
  /** Metrics for the server, when the optional OpenTelemetry API package is installed. */
  telemetry?: Telemetry;
  /** `GET /metrics`: the Prometheus text, or 501 naming the packages to install. */
  metrics(request: Request): Promise<Response>;
}

const PACKAGES = '@opentelemetry/api';

/**
 * The demo's `/metrics`: loaded only when the demo serves HTTP, and only if the optional peer
 * `@opentelemetry/api` is there (it is in a checkout of mcpkit; an application installs it).
 */
export async function demoObservability(): Promise<DemoObservability> {
  try {
    const [{ prometheusMetrics }, { otelTelemetry }] = await Promise.all([
      import('../prometheus/index.js'),
      import('../otel/index.js'),
    ]);
    const prometheus = prometheusMetrics();
    return {
      telemetry: otelTelemetry({ meterProvider: prometheus.meterProvider }),
      metrics: prometheus.handler,
    };
  } catch {
    return {
      metrics: async () =>
        new Response(`Metrics need the optional OpenTelemetry API package: npm install ${PACKAGES}\n`, {
          status: 501,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        }),
    };
  }
}

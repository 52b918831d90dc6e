// OpenTelemetry as an application already has it: a Node tracer provider exporting OTLP over HTTP
// (to OTEL_EXPORTER_OTLP_ENDPOINT, default http://localhost:4318). register() installs the async
// context manager and the W3C propagators that mcpkit's telemetry uses.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export function startTracing(serviceName) {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return provider;
}

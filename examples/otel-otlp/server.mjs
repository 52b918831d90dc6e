// An MCP server whose every request is a span: `telemetry: otelTelemetry()` is the whole setup.
import { trace } from '@opentelemetry/api';
import { McpServer } from 'mcpkit';
import { createStreamableHttpHandler } from 'mcpkit/http';
import { serveHttp } from 'mcpkit/node';
import { otelTelemetry } from 'mcpkit/otel';
import { startTracing } from './tracing.mjs';

const provider = startTracing('weather-server');
const server = new McpServer({ name: 'weather', version: '1.0.0' }, { telemetry: otelTelemetry() });
const tracer = trace.getTracer('weather-server');

server.tool(
  'forecast',
  {
    description: 'The weather for a city',
    input: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
  // The handler's own span is a child of the server's `tools/call forecast` span.
  async ({ city }) =>
    tracer.startActiveSpan('look up forecast', async (span) => {
      span.setAttribute('city', city);
      span.end();
      return `Sunny in ${city}`;
    }),
);

const handler = createStreamableHttpHandler(server);
const http = await serveHttp(handler, { port: Number(process.env.PORT ?? 3000) });
process.stderr.write(`weather server on ${http.url}\n`);

process.once('SIGTERM', async () => {
  await server.close(1000);
  await handler.close();
  await http.close();
  await provider.shutdown(); // exports what is still batched
  process.exit(0);
});

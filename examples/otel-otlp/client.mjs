// An agent's turn: its own span, and inside it an MCP tool call whose trace context travels to
// the server in `params._meta` (and the HTTP `traceparent` header).
import { trace } from '@opentelemetry/api';
import { Client } from 'mcpkit';
import { StreamableHttpClientTransport } from 'mcpkit/http';
import { otelTelemetry } from 'mcpkit/otel';
import { startTracing } from './tracing.mjs';

const url = process.argv[2] ?? 'http://127.0.0.1:3000/mcp';
const provider = startTracing('weather-agent');
const tracer = trace.getTracer('weather-agent');

await tracer.startActiveSpan('agent turn', async (turn) => {
  const client = new Client({ name: 'weather-agent', version: '1.0.0' }, { telemetry: otelTelemetry() });
  await client.connect(new StreamableHttpClientTransport(url));
  const result = await client.callTool('forecast', { city: 'Lisbon' });
  process.stdout.write(`${result.content[0].text} (trace ${turn.spanContext().traceId})\n`);
  await client.close();
  turn.end();
});
await provider.shutdown();

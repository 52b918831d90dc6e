// otelTelemetry with no tracer provider of its own: metrics only (no span) while no SDK is
// registered globally, spans from the first request after one is. Global state: a file of its own.
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '../src/client/index.js';
import { otelTelemetry } from '../src/otel/index.js';
import { prometheusMetrics } from '../src/prometheus/index.js';
import { McpServer } from '../src/server/index.js';
import { createLinkedPair } from '../src/transports/index.js';
import { installContextManager } from './helpers/otel.js';

afterAll(() => trace.disable());

describe('otelTelemetry on the global tracer provider', () => {
  it('makes no span until an SDK registers one, then traces the next request', async () => {
    installContextManager();
    const prom = prometheusMetrics();
    const server = new McpServer(
      { name: 'global', version: '1' },
      { telemetry: otelTelemetry({ meterProvider: prom.meterProvider }) },
    );
    const seen: (string | undefined)[] = [];
    server.tool('where', {}, () => {
      seen.push(trace.getActiveSpan()?.spanContext().traceId);
      return 'here';
    });
    const [a, b] = createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(b);

    await client.callTool('where');
    expect(seen).toEqual([undefined]);

    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    await client.callTool('where');
    const served = exporter.getFinishedSpans().filter((s) => s.name === 'tools/call where');
    expect(served).toHaveLength(1);
    // The handler ran inside that span.
    expect(seen[1]).toBe(served[0]!.spanContext().traceId);
    // Metrics counted both calls, traced or not.
    expect(await prom.text()).toMatch(
      /mcp_server_operation_duration_count\{[^}]*gen_ai_tool_name="where"[^}]*\} 2\n/,
    );
    await client.close();
    await server.close();
  });
});

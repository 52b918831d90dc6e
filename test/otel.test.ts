// Traces and metrics by the OpenTelemetry MCP semantic conventions, read from the OpenTelemetry
// SDK's in-memory exporters: both eras, over stdio (newline-delimited pipes) and Streamable HTTP.
import { PassThrough } from 'node:stream';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { serveHttp } from '../src/adapters/index.js';
import { Client } from '../src/client/index.js';
import type { Transport } from '../src/engine/index.js';
import { McpError } from '../src/protocol/index.js';
import { McpServer } from '../src/server/index.js';
import { StdioServerTransport } from '../src/stdio/index.js';
import { createStreamableHttpHandler, StreamableHttpClientTransport } from '../src/transports/index.js';
import { byName, parentOf, telemetryHarness } from './helpers/otel.js';

const h = telemetryHarness({ captureToolContent: true });

function buildServer(): McpServer {
  const server = new McpServer({ name: 'traced', version: '1.0.0' }, { telemetry: h.telemetry });
  server.tool('echo', { input: z.object({ text: z.string() }) }, async ({ text }, ctx) =>
    h.handlerSpan('echo.work', async () => {
      await ctx.progress(1, 2);
      return `echo: ${text}`;
    }),
  );
  server.tool('boom', {}, async () => {
    throw new McpError(-32050, 'boom went the tool');
  });
  server.tool('fails', {}, async () => {
    throw new Error('handler bug');
  });
  server.tool('slow', {}, async (_args, ctx) => {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    return 'never';
  });
  server.tool('ask', {}, async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: 'Name?',
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
    });
    return `hello ${String((answer.content as { name?: string } | undefined)?.name)}`;
  });
  server.tool('later', { task: 'optional' }, async (_args, ctx) =>
    ctx.task(async () => h.handlerSpan('later.work', async () => 'done later')),
  );
  server.resource('mem://note', { name: 'note' }, async () => 'a note');
  server.prompt('greet', { arguments: [{ name: 'who', description: 'who' }] }, async ({ who }) => [
    { role: 'user', content: { type: 'text', text: `Hello ${who}` } },
  ]);
  return server;
}

type Setup = { client: Client; close(): Promise<void> };

async function overStdio(era: 'legacy' | 'modern'): Promise<Setup> {
  const server = buildServer();
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  await server.connect(new StdioServerTransport({ input: toServer, output: toClient }));
  const client = new Client(
    { name: 'traced-client', version: '1' },
    { era, telemetry: h.telemetry, elicit: () => ({ action: 'accept', content: { name: 'Ada' } }) },
  );
  // A stdio transport is symmetric: newline-delimited JSON both ways.
  await client.connect(new StdioServerTransport({ input: toClient, output: toServer }) as Transport);
  return {
    client,
    async close() {
      await client.close();
      await server.close(50);
    },
  };
}

async function overHttp(era: 'legacy' | 'modern'): Promise<Setup> {
  const server = buildServer();
  const handler = createStreamableHttpHandler(server);
  const http = await serveHttp(handler, { port: 0 });
  const client = new Client(
    { name: 'traced-client', version: '1' },
    { era, telemetry: h.telemetry, elicit: () => ({ action: 'accept', content: { name: 'Ada' } }) },
  );
  await client.connect(new StreamableHttpClientTransport(http.url));
  return {
    client,
    async close() {
      await client.close();
      await handler.close();
      await server.close(50);
      await http.close();
    },
  };
}

/** The CLIENT span of `name` and the SERVER span it caused, asserted to be parent and child. */
function pair(name: string): { client: ReadableSpan; server: ReadableSpan } {
  const spans = h.spans();
  const client = byName(spans, name, SpanKind.CLIENT).at(-1);
  const server = byName(spans, name, SpanKind.SERVER).at(-1);
  expect(client, `CLIENT span ${name}`).toBeDefined();
  expect(server, `SERVER span ${name}`).toBeDefined();
  expect(server!.spanContext().traceId).toBe(client!.spanContext().traceId);
  expect(parentOf(server!)).toBe(client!.spanContext().spanId);
  return { client: client!, server: server! };
}

const transports = [
  ['stdio', overStdio],
  ['HTTP', overHttp],
] as const;

describe.each(transports)('spans over %s', (transportName, open) => {
  describe.each(['legacy', 'modern'] as const)('%s era', (era) => {
    let setup: Setup;
    const version = era === 'modern' ? '2026-07-28' : '2025-11-25';
    const network = transportName === 'stdio' ? 'pipe' : 'tcp';

    beforeEach(async () => {
      setup ??= await open(era);
      h.reset();
    });
    afterAll(async () => setup?.close());

    it('tools/call: client and server spans by the conventions, the handler span under the server span', async () => {
      const result = await setup.client.callTool('echo', { text: 'hi' }, { onProgress: () => {} });
      expect(result.content).toEqual([{ type: 'text', text: 'echo: hi' }]);
      const { client, server } = pair('tools/call echo');
      expect(client.kind).toBe(SpanKind.CLIENT);
      expect(server.kind).toBe(SpanKind.SERVER);
      for (const span of [client, server]) {
        expect(span.attributes).toMatchObject({
          'mcp.method.name': 'tools/call',
          'gen_ai.tool.name': 'echo',
          'gen_ai.operation.name': 'execute_tool',
          'mcp.protocol.version': version,
          'network.transport': network,
          'gen_ai.tool.call.arguments': '{"text":"hi"}',
        });
        expect(typeof span.attributes['jsonrpc.request.id']).toBe('string');
        expect(span.attributes['error.type']).toBeUndefined();
        expect(span.status.code).toBe(SpanStatusCode.UNSET);
      }
      expect(server.attributes['gen_ai.tool.call.result']).toContain('echo: hi');
      if (transportName === 'HTTP') {
        expect(server.attributes['network.protocol.name']).toBe('http');
        expect(server.attributes['client.address']).toBe('127.0.0.1');
        expect(typeof server.attributes['client.port']).toBe('number');
        expect(client.attributes['server.address']).toBe('127.0.0.1');
        if (era === 'legacy') {
          expect(server.attributes['mcp.session.id']).toMatch(/^[0-9a-f-]{36}$/);
          expect(client.attributes['mcp.session.id']).toBe(server.attributes['mcp.session.id']);
        } else expect(server.attributes['mcp.session.id']).toBeUndefined();
      }
      const work = byName(h.spans(), 'echo.work')[0]!;
      expect(parentOf(work)).toBe(server.spanContext().spanId);
      // Progress: an event on the server span as sent, and on the client span as received.
      expect(server.events.map((e) => e.name)).toContain('progress');
      expect(client.events.map((e) => e.name)).toContain('progress');
    });

    it('resources/read and prompts/get', async () => {
      await setup.client.readResource('mem://note');
      const read = pair('resources/read');
      expect(read.server.attributes['mcp.resource.uri']).toBe('mem://note');
      expect(read.client.attributes['mcp.resource.uri']).toBe('mem://note');
      await setup.client.getPrompt('greet', { who: 'Ada' });
      const prompt = pair('prompts/get greet');
      expect(prompt.server.attributes['gen_ai.prompt.name']).toBe('greet');
      expect(prompt.server.attributes['gen_ai.operation.name']).toBeUndefined();
    });

    it('a JSON-RPC error: error.type and rpc.response.status_code are the code, status ERROR with its message', async () => {
      await expect(setup.client.callTool('boom', {})).rejects.toThrow('boom went the tool');
      const { client, server } = pair('tools/call boom');
      for (const span of [client, server]) {
        expect(span.attributes['error.type']).toBe('-32050');
        expect(span.attributes['rpc.response.status_code']).toBe('-32050');
        expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom went the tool' });
      }
    });

    it('a tool error result: error.type tool_error', async () => {
      const result = await setup.client.callTool('fails', {});
      expect(result.isError).toBe(true);
      const { server } = pair('tools/call fails');
      expect(server.attributes['error.type']).toBe('tool_error');
      expect(server.status.code).toBe(SpanStatusCode.ERROR);
    });

    it('an unknown tool: the caller-chosen name stays out of the span name', async () => {
      await expect(setup.client.callTool('no-such-tool', {})).rejects.toThrow(/Unknown tool/);
      const server = h
        .spans()
        .find((s) => s.kind === SpanKind.SERVER && s.attributes['gen_ai.tool.name'] === 'no-such-tool');
      expect(server?.name).toBe('tools/call');
      expect(server?.attributes['error.type']).toBe('-32602');
    });

    it('a cancelled call: both spans end with error.type cancelled', async () => {
      const controller = new AbortController();
      const call = setup.client.callTool('slow', {}, { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 100));
      controller.abort();
      await expect(call).rejects.toThrow();
      await expect.poll(() => byName(h.spans(), 'tools/call slow', SpanKind.SERVER).length).toBe(1);
      const { client, server } = pair('tools/call slow');
      expect(client.attributes['error.type']).toBe('cancelled');
      expect(server.attributes['error.type']).toBe('cancelled');
    });

    it('input from the client: a server-to-client request (legacy) or an MRTR round (modern)', async () => {
      const result = await setup.client.callTool('ask', {});
      expect(result.content).toEqual([{ type: 'text', text: 'hello Ada' }]);
      const spans = h.spans();
      if (era === 'legacy') {
        const { server: call } = pair('tools/call ask');
        // The server asks: its CLIENT span under the tools/call SERVER span, the client's SERVER span under that.
        const asked = byName(spans, 'elicitation/create', SpanKind.CLIENT)[0]!;
        const answered = byName(spans, 'elicitation/create', SpanKind.SERVER)[0]!;
        expect(parentOf(asked)).toBe(call.spanContext().spanId);
        expect(parentOf(answered)).toBe(asked.spanContext().spanId);
      } else {
        const clients = byName(spans, 'tools/call ask', SpanKind.CLIENT);
        const servers = byName(spans, 'tools/call ask', SpanKind.SERVER);
        expect(clients).toHaveLength(2);
        expect(servers).toHaveLength(2);
        const first = servers.find((s) => s.attributes['mcpkit.result_type'] === 'input_required')!;
        expect(first.events.find((e) => e.name === 'mcp.input_required')?.attributes).toEqual({
          'mcpkit.mrtr.inputs': 1,
        });
        const retry = servers.find((s) => s !== first)!;
        expect(retry.attributes['mcpkit.mrtr.retry']).toBe(true);
        expect(
          clients.find((s) => s.spanContext().spanId === parentOf(retry))?.attributes['mcpkit.mrtr.retry'],
        ).toBe(true);
      }
    });

    it('a task: the tools/call span names it, the task runs in a span of its own, polls are spans too', async () => {
      const result = await setup.client.callTool('later', {});
      expect(result.content).toEqual([{ type: 'text', text: 'done later' }]);
      if (era === 'legacy') return; // tasks are a modern-era extension: the call simply ran
      await expect.poll(() => byName(h.spans(), 'task later').length).toBe(1);
      const spans = h.spans();
      const { server: call } = pair('tools/call later');
      expect(call.attributes['mcpkit.result_type']).toBe('task');
      const taskId = call.attributes['mcpkit.task.id'];
      const task = byName(spans, 'task later')[0]!;
      expect(task.kind).toBe(SpanKind.INTERNAL);
      expect(task.attributes).toMatchObject({ 'mcpkit.task.id': taskId, 'mcpkit.task.status': 'completed' });
      expect(parentOf(task)).toBe(call.spanContext().spanId);
      expect(parentOf(byName(spans, 'later.work')[0]!)).toBe(task.spanContext().spanId);
      expect(
        byName(spans, 'tasks/get', SpanKind.SERVER).length +
          byName(spans, 'tasks/result', SpanKind.SERVER).length,
      ).toBeGreaterThan(0);
    });
  });
});

describe('metrics', () => {
  it('operation durations by the conventions move by the traffic sent; errors by code; sessions', async () => {
    const setup = await overHttp('legacy');
    const before = await durationCount('mcp.server.operation.duration', 'echo');
    for (let i = 0; i < 3; i++) await setup.client.callTool('echo', { text: String(i) });
    await expect(setup.client.callTool('boom', {})).rejects.toThrow();
    expect(await durationCount('mcp.server.operation.duration', 'echo')).toBe(before + 3);
    expect(await durationCount('mcp.client.operation.duration', 'echo')).toBeGreaterThanOrEqual(before + 3);
    const point = (await h.points('mcp.server.operation.duration')).find(
      (p) => p.attributes['gen_ai.tool.name'] === 'echo',
    )!;
    expect((point.value as Histogram).buckets.boundaries).toEqual([
      0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300,
    ]);
    // No ids on a metric: the session and request id stay on spans.
    expect(Object.keys(point.attributes)).not.toContain('mcp.session.id');
    expect(Object.keys(point.attributes)).not.toContain('jsonrpc.request.id');
    const errors = await h.points('mcpkit.server.errors');
    expect(
      errors.find((p) => p.attributes['rpc.response.status_code'] === '-32050')?.value,
    ).toBeGreaterThanOrEqual(1);
    const open = await h.points('mcpkit.sessions.open');
    const serverOpen = () => open.find((p) => p.attributes['mcpkit.role'] === 'server')?.value as number;
    expect(serverOpen()).toBeGreaterThanOrEqual(1);
    await setup.close();
    await expect
      .poll(async () =>
        (await h.points('mcp.server.session.duration')).reduce((n, p) => n + (p.value as Histogram).count, 0),
      )
      .toBeGreaterThanOrEqual(1);
  });

  it('names nobody registered count as _OTHER, so callers cannot grow label cardinality', async () => {
    const setup = await overHttp('modern');
    for (let i = 0; i < 5; i++) await expect(setup.client.callTool(`random-${i}`, {})).rejects.toThrow();
    const labels = (await h.points('mcp.server.operation.duration')).map(
      (p) => p.attributes['gen_ai.tool.name'],
    );
    expect(labels.filter((l) => String(l).startsWith('random-'))).toEqual([]);
    expect(labels).toContain('_OTHER');
    await setup.close();
  });
});

describe('trace context a caller sends', () => {
  it('a malformed or huge traceparent is ignored: the request is served under a trace of its own', async () => {
    const server = buildServer();
    const handler = createStreamableHttpHandler(server);
    const http = await serveHttp(handler, { port: 0 });
    // A client with no telemetry of its own: what it puts in _meta reaches the server as it is.
    const client = new Client({ name: 'untraced', version: '1' }, { era: 'legacy' });
    await client.connect(new StreamableHttpClientTransport(http.url));
    try {
      for (const traceparent of [
        'garbage',
        `00-${'f'.repeat(10_000)}-00f067aa0ba902b7-01`,
        '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      ]) {
        h.reset();
        const result = await client.request('tools/call', {
          name: 'echo',
          arguments: { text: 'x' },
          _meta: { traceparent, tracestate: 'x'.repeat(100_000), baggage: '%%%' },
        });
        expect(result.content).toEqual([{ type: 'text', text: 'echo: x' }]);
        const span = byName(h.spans(), 'tools/call echo', SpanKind.SERVER)[0]!;
        expect(parentOf(span)).toBeUndefined();
        expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(span.spanContext().traceId).not.toBe('0'.repeat(32));
      }
    } finally {
      await client.close();
      await handler.close();
      await server.close(50);
      await http.close();
    }
  });
});

describe('labels a caller chooses are bounded', () => {
  it('a protocol version no revision has, sent in _meta, is _OTHER on metrics and itself on the span', async () => {
    const server = buildServer();
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    await server.connect(new StdioServerTransport({ input: toServer, output: toClient }));
    const answers: string[] = [];
    toClient.setEncoding('utf8').on('data', (chunk: string) => answers.push(chunk));
    for (let i = 0; i < 3; i++) {
      const params = { _meta: { 'io.modelcontextprotocol/protocolVersion': `2099-01-0${i}` } };
      toServer.write(`${JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list', params })}\n`);
    }
    await expect.poll(() => answers.join('').split('\n').filter(Boolean).length).toBe(3);
    for (const line of answers.join('').split('\n').filter(Boolean))
      expect(JSON.parse(line).error.code).toBe(-32022);
    const versions = (await h.points('mcp.server.operation.duration')).map(
      (p) => p.attributes['mcp.protocol.version'],
    );
    expect(versions.filter((v) => String(v).startsWith('2099'))).toEqual([]);
    expect(versions).toContain('_OTHER');
    const span = h.spans().find((s) => s.attributes['mcp.protocol.version'] === '2099-01-02');
    expect(span?.attributes['error.type']).toBe('-32022');
    await server.close(50);
  });
});

async function durationCount(metric: string, tool: string): Promise<number> {
  const points = await h.points(metric);
  return points
    .filter((p) => p.attributes['gen_ai.tool.name'] === tool && p.attributes['error.type'] === undefined)
    .reduce((n, p) => n + (p.value as Histogram).count, 0);
}

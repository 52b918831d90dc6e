// /metrics scraped and parsed after known traffic, /healthz and /readyz flipping as a real Redis
// goes down and comes back, and the operator log bound to each request.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { serveHttp } from '../src/adapters/index.js';
import { bearerAuth, staticTokens } from '../src/auth/index.js';
import { Client } from '../src/client/index.js';
import { health } from '../src/health/index.js';
import { otelTelemetry } from '../src/otel/index.js';
import { prometheusMetrics } from '../src/prometheus/index.js';
import { McpServer } from '../src/server/index.js';
import { createStreamableHttpHandler, StreamableHttpClientTransport } from '../src/transports/index.js';
import { freePort } from './helpers/idp.mjs';
import { telemetryHarness } from './helpers/otel.js';

/** Prometheus text exposition: sample lines as name, labels and value. */
function parseExposition(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(match, `not a sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const [, key, value] of match![2]?.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g) ?? [])
      labels[key!] = value!;
    samples.push({ name: match![1]!, labels, value: Number(match![3]) });
  }
  return samples;
}

describe('/metrics beside /mcp, with no OpenTelemetry SDK set up by the application', () => {
  const prom = prometheusMetrics();
  const server = new McpServer(
    { name: 'scraped', version: '1' },
    { telemetry: otelTelemetry({ meterProvider: prom.meterProvider }) },
  );
  server.tool('echo', { input: z.object({ text: z.string() }) }, ({ text }) => text);
  let http: Awaited<ReturnType<typeof serveHttp>>;
  let handler: ReturnType<typeof createStreamableHttpHandler>;

  beforeAll(async () => {
    handler = createStreamableHttpHandler(server);
    http = await serveHttp(handler, { port: 0, routes: { '/metrics': prom.handler } });
  });
  afterAll(async () => {
    await handler.close();
    await server.close(50);
    await http.close();
  });

  const scrape = async () => {
    const response = await fetch(http.url.replace('/mcp', '/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };
  const echoCount = (samples: Awaited<ReturnType<typeof scrape>>, metric: string) =>
    samples
      .filter((s) => s.name === metric && s.labels.gen_ai_tool_name === 'echo' && !s.labels.error_type)
      .reduce((n, s) => n + s.value, 0);

  it('counts and histogram buckets move by the traffic sent, in both eras', async () => {
    const before = await scrape();
    const countBefore = echoCount(before, 'mcp_server_operation_duration_count');
    for (const era of ['modern', 'legacy'] as const) {
      const client = new Client({ name: 'scraper', version: '1' }, { era });
      await client.connect(new StreamableHttpClientTransport(http.url));
      for (let i = 0; i < 4; i++) await client.callTool('echo', { text: 'x' });
      await client.close();
    }
    const after = await scrape();
    expect(echoCount(after, 'mcp_server_operation_duration_count')).toBe(countBefore + 8);
    // Cumulative buckets: +Inf holds every call, and the buckets never decrease along `le`.
    const buckets = after.filter(
      (s) =>
        s.name === 'mcp_server_operation_duration_bucket' &&
        s.labels.gen_ai_tool_name === 'echo' &&
        s.labels.mcp_protocol_version === '2026-07-28',
    );
    expect(buckets.map((b) => b.labels.le)).toEqual([
      '0.01',
      '0.02',
      '0.05',
      '0.1',
      '0.2',
      '0.5',
      '1',
      '2',
      '5',
      '10',
      '30',
      '60',
      '120',
      '300',
      '+Inf',
    ]);
    expect(buckets.at(-1)!.value).toBe(4);
    for (let i = 1; i < buckets.length; i++)
      expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    // The legacy session opened and closed: the session histogram saw it.
    expect(
      after.find(
        (s) =>
          s.name === 'mcp_server_session_duration_count' && s.labels.mcp_protocol_version === '2025-11-25',
      )?.value,
    ).toBeGreaterThanOrEqual(1);
    expect(after.find((s) => s.name === 'mcpkit_server_requests_in_flight')?.value).toBe(0);
    expect(after.some((s) => s.name === 'mcpkit_server_streams_open')).toBe(true);
    expect(after.some((s) => s.name === 'mcpkit_event_store_bytes')).toBe(true);
  });

  it('counts errors by code, with no tracer set up (metrics only: no span is made)', async () => {
    const errors = (samples: Awaited<ReturnType<typeof scrape>>) =>
      samples.find(
        (s) =>
          s.name === 'mcpkit_server_errors_total' &&
          s.labels.mcp_method_name === 'tools/call' &&
          s.labels.rpc_response_status_code === '-32602',
      )?.value ?? 0;
    const before = errors(await scrape());
    const client = new Client({ name: 'scraper', version: '1' }, { era: 'modern' });
    await client.connect(new StreamableHttpClientTransport(http.url));
    for (let i = 0; i < 3; i++) await expect(client.callTool(`missing-${i}`, {})).rejects.toThrow();
    await client.close();
    const after = await scrape();
    expect(errors(after)).toBe(before + 3);
    // The unknown names are the caller's text: they count as _OTHER, never as series of their own.
    const refused = after.filter(
      (s) => s.name === 'mcp_server_operation_duration_count' && s.labels.error_type === '-32602',
    );
    expect(refused.map((s) => [s.labels.gen_ai_tool_name, s.value])).toEqual([['_OTHER', 3]]);
    expect(after.find((s) => s.name === 'mcpkit_server_requests_in_flight')?.value).toBe(0);
  });
});

/** A Redis of this test's own, so that it can be stopped and started again. */
class PrivateRedis {
  private process?: ChildProcess;
  constructor(readonly port: number) {}
  async start(): Promise<void> {
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 5000;
    for (;;) {
      const probe = new Redis({
        port: this.port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      const up = await probe.connect().then(
        () => true,
        () => false,
      );
      probe.disconnect();
      if (up) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer && process.env.CI === 'true')
  throw new Error('redis-server is not installed; CI needs it');

describe.runIf(hasRedisServer)('/healthz and /readyz', () => {
  let redis: PrivateRedis;
  let client: Redis;
  const server = new McpServer({ name: 'probed', version: '1' });
  server.tool('wait', {}, async (_args, ctx) => {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    return 'stopped';
  });
  let handler: ReturnType<typeof createStreamableHttpHandler>;
  let http: Awaited<ReturnType<typeof serveHttp>>;
  let base: string;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    // Offline commands fail at once rather than queue: a probe must never hang.
    client = new Redis({ port: redis.port, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    client.on('error', () => {}); // the readiness check reports it
    await new Promise((resolve) => client.once('ready', resolve));
    handler = createStreamableHttpHandler(server, { maxConcurrentRequests: 4 });
    const probes = health({
      server,
      checks: { redis: () => client.ping() },
      handlers: [handler],
      timeoutMs: 500,
    });
    http = await serveHttp(handler, { port: 0, routes: probes.routes });
    base = http.url.replace('/mcp', '');
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
    await handler?.close();
    await http?.close();
  });

  const probe = async (path: string) => {
    const response = await fetch(base + path);
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('flip as the store goes down and comes back; liveness stays up', async () => {
    const up = await probe('/readyz');
    expect(up).toMatchObject({ status: 200, body: { status: 'ready', checks: { redis: { status: 'up' } } } });
    expect(up.body.load.requests).toEqual({ used: 0, max: 4 });

    await redis.stop();
    await expect.poll(async () => (await probe('/readyz')).status).toBe(503);
    const down = await probe('/readyz');
    expect(down.body.status).toBe('not ready');
    expect(down.body.checks.redis.status).toBe('down');
    expect(down.body.reasons[0]).toMatch(/^redis: down \(/);
    expect(await probe('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });

    await redis.start();
    await expect.poll(async () => (await probe('/readyz')).status, { timeout: 10_000 }).toBe(200);
  });

  it('not ready when a bound is nearly used up, and again when it frees', async () => {
    const callers = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const c = new Client({ name: 'holder', version: '1' }, { era: 'modern', retry: false });
        await c.connect(new StreamableHttpClientTransport(http.url));
        return c;
      }),
    );
    const controllers = callers.map(() => new AbortController());
    const calls = callers.map((c, i) =>
      c.callTool('wait', {}, { signal: controllers[i]!.signal }).catch(() => {}),
    );
    await expect.poll(async () => (await probe('/readyz')).status).toBe(503);
    expect((await probe('/readyz')).body.reasons).toContain(
      "saturated: requests 4 of 4 (raise the handler's bound, or add nodes)",
    );
    for (const c of controllers) c.abort();
    await Promise.all(calls);
    await expect.poll(async () => (await probe('/readyz')).status).toBe(200);
    await Promise.all(callers.map((c) => c.close()));
  });

  it('not ready once the server begins to close', async () => {
    await server.close(10);
    const closing = await probe('/readyz');
    expect(closing.status).toBe(503);
    expect(closing.body.reasons).toContain('shutting down');
  });
});

describe('the operator log', () => {
  it('binds each request: method, tool, request and session id, trace id, principal; MCP logging stays apart', async () => {
    const lines: { level: string; details: Record<string, unknown>; message: string }[] = [];
    const logger = Object.fromEntries(
      ['debug', 'info', 'warn', 'error'].map((level) => [
        level,
        (details: Record<string, unknown>, message: string) => lines.push({ level, details, message }),
      ]),
    ) as unknown as import('../src/server/index.js').OperatorLogger;
    const traced = telemetryHarness();
    const server = new McpServer({ name: 'logged', version: '1' }, { logger, telemetry: traced.telemetry });
    server.tool('work', {}, async (_args, ctx) => {
      ctx.logger.info({ step: 1 }, 'working');
      await ctx.log.info('this goes to the client only');
      return 'ok';
    });
    server.tool('crash', {}, () => {
      throw new Error('a bug');
    });
    const auth = bearerAuth({
      resource: 'http://127.0.0.1/mcp',
      provider: staticTokens([{ token: 'secret-token-1', subject: 'ada' }]),
    });
    const handler = createStreamableHttpHandler(server, { auth });
    const http = await serveHttp(handler, { port: 0 });
    const messages: unknown[] = [];
    const client = new Client({ name: 'log-reader', version: '1' }, { era: 'legacy' });
    client.on('log', (m) => messages.push(m));
    await client.connect(
      new StreamableHttpClientTransport(http.url, { headers: { authorization: 'Bearer secret-token-1' } }),
    );
    await client.callTool('work', {});
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await client.request('tools/call', { name: 'work', arguments: {}, _meta: { traceparent } });
    const crashed = await client.callTool('crash', {});
    expect(crashed.isError).toBe(true);

    const working = lines.filter((l) => l.message === 'working');
    expect(working).toHaveLength(2);
    expect(working[0]!.details).toMatchObject({
      step: 1,
      method: 'tools/call',
      name: 'work',
      principal: expect.stringContaining('ada'),
      sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(typeof working[0]!.details.requestId).toBe('number');
    // The trace id of the server span: here the caller's trace, named in _meta.
    expect(working[1]!.details.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(working[0]!.details.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines.find((l) => l.level === 'warn')).toMatchObject({
      details: { name: 'crash', err: expect.any(Error) },
      message: 'tool crash threw; the client was answered with a tool error',
    });
    // MCP logging went to the client and nowhere else; the operator's lines never reached it.
    expect(messages.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(messages)).toContain('this goes to the client only');
    expect(JSON.stringify(messages)).not.toContain('working');
    expect(lines.some((l) => JSON.stringify(l).includes('this goes to the client only'))).toBe(false);

    await client.close();
    await handler.close();
    await server.close(50);
    await http.close();
    expect(lines.at(-1)).toMatchObject({ level: 'info', message: 'server closing' });
  });
});

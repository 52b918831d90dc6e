// mcpkit's benchmark server: stdio, or Streamable HTTP serving both eras on one endpoint.
import { McpServer } from '../../dist/server/index.mjs';
import { announce, BIG_TEXT, EXTRA_TOOLS, held, memory, options, release } from './options.mjs';

function build(options = {}) {
  const server = new McpServer({ name: 'bench-mcpkit', version: '1' }, options);
  const object = { type: 'object', properties: { text: { type: 'string' } } };
  server.tool('echo', { input: { ...object, required: ['text'] } }, (args) => ({
    content: [{ type: 'text', text: args.text }],
  }));
  server.tool('big', {}, () => ({ content: [{ type: 'text', text: BIG_TEXT }] }));
  server.tool('hold', {}, () => new Promise((resolve) => held.push(() => resolve('released'))));
  server.tool('release', {}, () => String(release()));
  server.tool('mem', {}, () => JSON.stringify(memory()));
  for (let i = 0; i < EXTRA_TOOLS; i++)
    server.tool(`tool_${i}`, { description: `Tool number ${i}`, input: object }, () => 'ok');
  return server;
}
/**
 * `--otel metrics`: Prometheus metrics with no SDK (what `mcpkit/prometheus` gives). `--otel full`:
 * OpenTelemetry as an application would run it, in a process of its own (the async context
 * manager it installs would otherwise tax every other scenario): an SDK tracer provider sampling
 * every request into a batch processor whose exporter drops the spans (no network cost is
 * measured), W3C propagation, and the same metrics.
 */
async function telemetry(mode) {
  const { otelTelemetry } = await import('../../dist/otel/index.mjs');
  const { prometheusMetrics } = await import('../../dist/prometheus/index.mjs');
  const meterProvider = prometheusMetrics().meterProvider;
  if (mode === 'metrics') return otelTelemetry({ meterProvider });
  const { context } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const dropped = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  return otelTelemetry({
    tracerProvider: new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropped)] }),
    meterProvider,
    propagator: new W3CTraceContextPropagator(),
  });
}
const server = build(options.otel === 'off' ? {} : { telemetry: await telemetry(options.otel) });

// Each transport loads only its own entry point, as a real server would.
if (options.transport === 'stdio') {
  const { serveStdio } = await import('../../dist/stdio/index.mjs');
  await serveStdio(server);
} else {
  const { createServer } = await import('node:http');
  const { toNodeListener } = await import('../../dist/node/index.mjs');
  const { createStreamableHttpHandler } = await import('../../dist/http/index.mjs');
  // One load generator is one client: the per-client caps would otherwise evict the idle sessions
  // the memory scenario counts.
  const handler = createStreamableHttpHandler(server, { maxSessionsPerClient: 100_000 });
  const listener = toNodeListener(handler);
  // Legacy stateless mode: no sessions, every request stands alone.
  const stateless = toNodeListener(createStreamableHttpHandler(server, { legacy: 'stateless' }));
  // The same endpoint behind a bearer JWT (ES256, verified against a local key set, then cached).
  const { bearerAuth } = await import('../../dist/auth/index.mjs');
  const { jwtProvider } = await import('../../dist/auth/jwt/index.mjs');
  const { exportJWK, generateKeyPair, SignJWT } = await import('jose');
  const keys = await generateKeyPair('ES256');
  const resource = 'http://127.0.0.1/auth';
  const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'bench', alg: 'ES256' }] };
  const token = await new SignJWT({ scope: 'mcp' })
    .setProtectedHeader({ alg: 'ES256', kid: 'bench' })
    .setIssuer('https://issuer.bench')
    .setAudience(resource)
    .setSubject('bench')
    .setExpirationTime('1d')
    .sign(keys.privateKey);
  const provider = jwtProvider({ issuer: 'https://issuer.bench', audience: resource, jwks });
  const authed = toNodeListener(
    createStreamableHttpHandler(server, {
      auth: bearerAuth({ resource, provider }),
      maxSessionsPerClient: 100_000,
    }),
  );
  // The whole production chain on a server of its own: the same JWT, then a rate limit per
  // principal (high enough never to refuse) and the reliability layer (timeouts, caps, shedding).
  const { rateLimit, reliability } = await import('../../dist/limits/index.mjs');
  const chainedServer = build();
  chainedServer.use(rateLimit({ limits: [{ per: 'principal', rate: 1e9, period: 'second' }] }));
  chainedServer.use(
    reliability({ timeoutMs: 30_000, concurrencyPerPrincipal: 100_000, maxConcurrent: 100_000 }),
  );
  const chained = toNodeListener(
    createStreamableHttpHandler(chainedServer, {
      // The same token, verified by a provider (and cache) of its own.
      auth: bearerAuth({
        resource,
        provider: jwtProvider({ issuer: 'https://issuer.bench', audience: resource, jwks }),
      }),
      maxSessionsPerClient: 100_000,
    }),
  );
  const http = createServer((req, res) => {
    if (req.url === '/chain') return chained(req, res);
    if (req.url === '/__mem') return res.end(JSON.stringify({ ...memory(), sessions: handler.sessionCount }));
    if (req.url === '/stateless') return stateless(req, res);
    if (req.url === '/auth') return authed(req, res);
    if (req.url === '/__token') return res.end(token);
    listener(req, res);
  });
  announce(http);
}

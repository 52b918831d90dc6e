import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../src/cli/demo.js';
import { otelTelemetry } from '../../src/otel/index.js';
import { prometheusMetrics } from '../../src/prometheus/index.js';
import { httpServer, JSON_HEADERS, MODERN_META, modernHeaders } from '../helpers/http.js';
import { FUZZ, frame, headers } from './arbitraries.js';

let server: Awaited<ReturnType<typeof httpServer>>;
beforeAll(async () => {
  // With metrics on, as the demo serves them: telemetry reads each request before its schema does.
  const telemetry = otelTelemetry({ meterProvider: prometheusMetrics().meterProvider });
  server = await httpServer({}, createDemoServer({ telemetry }));
});
afterAll(async () => {
  await server?.close();
});

/** Legacy sessions the fuzz cases run inside; reopened when a case ends one (DELETE is fair game). */
const sessions: Record<string, string | undefined> = {};
async function session(revision: '2025-11-25' | '2025-03-26'): Promise<string> {
  const known = sessions[revision];
  if (known) {
    const ping = await fetch(server.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'mcp-session-id': known, 'mcp-protocol-version': revision },
      body: '{"jsonrpc":"2.0","id":"alive","method":"ping"}',
    });
    await ping.body?.cancel();
    if (ping.status === 200) return known;
  }
  const init = await fetch(server.url, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: revision, capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
    }),
  });
  await init.text();
  const sid = init.headers.get('mcp-session-id')!;
  await (
    await fetch(server.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'mcp-session-id': sid, 'mcp-protocol-version': revision },
      body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
    })
  ).body?.cancel();
  sessions[revision] = sid;
  return sid;
}

/** After every case: a well-formed modern call is still answered. */
async function stillServing(): Promise<void> {
  const r = await fetch(server.url, {
    method: 'POST',
    headers: modernHeaders('tools/call', 'echo'),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 'live',
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'alive' }, _meta: MODERN_META },
    }),
  });
  expect(r.status).toBe(200);
  expect((await r.json()).result.content[0].text).toBe('alive');
}

/** The modern headers a well-behaved client would send for this body, if it is one request. */
function mirrored(body: string): Record<string, string> {
  let message: { method?: unknown; params?: Record<string, unknown> } | undefined;
  try {
    message = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof message !== 'object' || message === null || typeof message.method !== 'string') return {};
  const meta = message.params?._meta as Record<string, unknown> | undefined;
  const version = meta?.['io.modelcontextprotocol/protocolVersion'];
  const name = message.params?.name ?? message.params?.uri;
  const ascii = (v: unknown) => typeof v === 'string' && /^[\x20-\x7e]*$/.test(v);
  return {
    ...(ascii(message.method) ? { 'mcp-method': message.method } : {}),
    ...(ascii(version) ? { 'mcp-protocol-version': version as string } : {}),
    ...(ascii(name) ? { 'mcp-name': name as string } : {}),
  };
}

/** No 5xx, except the specified overload refusal (503 with Retry-After). */
function acceptable(response: Response): boolean {
  return response.status < 500 || (response.status === 503 && response.headers.get('retry-after') !== null);
}

describe('fuzzing the Streamable HTTP endpoint (both eras, sessions, batches)', () => {
  it(
    'answers every case without a 5xx or a crash, and keeps serving',
    async () => {
      const cases = fc.record({
        method: fc.constantFrom('POST', 'POST', 'POST', 'POST', 'GET', 'DELETE', 'PUT'),
        session: fc.constantFrom('none', '2025-11-25', '2025-03-26', 'bogus'),
        headers,
        body: frame,
        /** Mirror the body into the modern headers, so that modern cases reach dispatch too. */
        coherent: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(cases, async (c) => {
          const sid =
            c.session === 'none'
              ? undefined
              : c.session === 'bogus'
                ? 'not-a-session'
                : await session(c.session);
          const response = await fetch(server.url, {
            method: c.method,
            headers: {
              ...c.headers,
              ...(c.coherent ? mirrored(c.body) : {}),
              ...(sid ? { 'mcp-session-id': sid } : {}),
            },
            ...(c.method === 'POST' || c.method === 'PUT' ? { body: c.body } : {}),
            signal: AbortSignal.timeout(10_000),
          });
          // A stream may stay open (listen, GET): its status is what counts; then let it go.
          await response.body?.cancel();
          expect(acceptable(response), `HTTP ${response.status} for ${JSON.stringify(c).slice(0, 500)}`).toBe(
            true,
          );
          await stillServing();
        }),
        { seed: FUZZ.seed, numRuns: FUZZ.runs },
      );
    },
    FUZZ.timeoutMs,
  );

  it(
    'answers any Host header and request target without a 5xx or a crash',
    async () => {
      const { port } = new URL(server.url);
      const raw = (text: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () => socket.end(text));
          let received = '';
          socket.setEncoding('utf8');
          socket.on('data', (chunk) => (received += chunk));
          socket.on('close', () => resolve(received));
          socket.on('error', reject);
        });
      const headerText = fc.string({
        unit: fc.constantFrom(...'abc019.:@%[]/?#-_~!$&()*+,;= \t'.split('')),
        maxLength: 30,
      });
      await fc.assert(
        fc.asyncProperty(
          headerText,
          fc.constantFrom('/mcp', 'http://x/mcp', '*', 'http://a%zz/', '/mcp?x=%zz'),
          async (host, target) => {
            const answer = await raw(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
            const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
            expect(status, `status for Host ${JSON.stringify(host)} and target ${target}`).toBeLessThan(500);
            await stillServing();
          },
        ),
        { seed: FUZZ.seed, numRuns: Math.max(20, Math.floor(FUZZ.runs / 2)) },
      );
    },
    FUZZ.timeoutMs,
  );
});

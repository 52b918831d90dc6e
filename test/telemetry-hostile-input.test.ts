import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ServedOperation, Telemetry } from '../src/engine/telemetry.js';
import { createStreamableHttpHandler } from '../src/http/index.js';
import { otelTelemetry } from '../src/otel/index.js';
import { prometheusMetrics } from '../src/prometheus/index.js';
import { McpServer } from '../src/server/index.js';
import { StdioServerTransport } from '../src/stdio/index.js';
import { until } from './helpers/demo.js';
import { JSON_HEADERS, MODERN_META, modernHeaders } from './helpers/http.js';
import { telemetryHarness } from './helpers/otel.js';

// Telemetry reads a request before the method's schema does. A peer's `"_meta": null` made
// otelTelemetry throw there: over stdio the process died, over HTTP the request got a 500 and kept
// its in-flight slot (stateless mode) or its id (a session) for ever.

const HOSTILE_META: unknown[] = [null, 'x', 5, [], true];

function server(telemetry: Telemetry): McpServer {
  const s = new McpServer({ name: 'hostile-meta', version: '1' }, { telemetry });
  s.tool('echo', { input: { type: 'object', properties: { text: { type: 'string' } } } }, (args) => ({
    content: [{ type: 'text', text: String(args.text) }],
  }));
  return s;
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
});

const call = (id: number, meta?: unknown) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: {
      name: 'echo',
      arguments: { text: `call ${id}` },
      ...(meta === undefined ? {} : { _meta: meta }),
    },
  });

/** A stdio server on in-process streams: send a line, read the answers by id. */
async function stdio(telemetry: Telemetry) {
  const input = new PassThrough();
  const answers = new Map<unknown, Record<string, any>>();
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const message = JSON.parse(line);
        if (!('method' in message)) answers.set(message.id, message);
      }
      callback();
    },
  });
  await server(telemetry).connect(new StdioServerTransport({ input, output }));
  const send = (line: string) => input.write(`${line}\n`);
  const answer = async (id: number) => {
    await until(() => answers.has(id), `the answer to ${id}`, 5_000);
    const found = answers.get(id)!;
    answers.delete(id);
    return found;
  };
  send(INITIALIZE);
  await answer(0);
  send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
  return { send, answer };
}

const post = (body: string, headers: Record<string, string>) =>
  new Request('http://localhost/mcp', { method: 'POST', headers, body });

/** Telemetry whose every per-request call throws, as a broken backend or a user's own might. */
const throwing: Telemetry = {
  serve: () => {
    throw new Error('telemetry backend down');
  },
  send: () => {
    throw new Error('telemetry backend down');
  },
  session: () => ({ end: () => undefined }),
  task: (_id, _tool, run) => run().then(() => undefined),
  count: () => undefined,
  gauge: () => () => undefined,
};

/** Telemetry that observes a request, then throws when told how it ended. */
const throwingAtEnd: Telemetry = {
  ...throwing,
  serve: (): ServedOperation => ({
    enter: (serve) => serve(),
    resolved: () => {
      throw new Error('telemetry backend down');
    },
    rejected: () => {
      throw new Error('telemetry backend down');
    },
    event: () => undefined,
    traceId: undefined,
  }),
};

describe('requests telemetry cannot read (hardening: "_meta": null crashed a stdio server)', () => {
  it('over stdio, each is answered with invalid params, ids are free again, and calls are still traced', async () => {
    const harness = telemetryHarness();
    const { send, answer } = await stdio(harness.telemetry);
    for (const [i, meta] of HOSTILE_META.entries()) {
      send(call(i + 1, meta));
      expect((await answer(i + 1)).error?.code, `_meta ${JSON.stringify(meta)}`).toBe(-32602);
    }
    // The same ids again, well-formed: none is still "in use".
    harness.reset();
    for (const i of HOSTILE_META.keys()) {
      send(call(i + 1));
      expect((await answer(i + 1)).result?.content[0].text).toBe(`call ${i + 1}`);
    }
    expect(harness.spans().filter((s) => s.name === 'tools/call echo')).toHaveLength(HOSTILE_META.length);
  });

  it('over HTTP, stateless mode gives the request slot back and a session frees the id: no 500', async () => {
    const telemetry = otelTelemetry({ meterProvider: prometheusMetrics().meterProvider });
    const legacy = { ...JSON_HEADERS, 'mcp-protocol-version': '2025-11-25' };
    // One request in flight at a time: a request that kept its slot would refuse every later one.
    const stateless = createStreamableHttpHandler(server(telemetry), {
      legacy: 'stateless',
      maxConcurrentRequests: 1,
    });
    for (const [i, meta] of HOSTILE_META.entries()) {
      const response = await stateless(post(call(i, meta), legacy));
      expect(response.status, `_meta ${JSON.stringify(meta)}`).toBeLessThan(500);
      expect((await response.json()).error.code).toBe(-32602);
    }
    const fine = await stateless(post(call(99), legacy));
    expect(fine.status).toBe(200);
    expect((await fine.json()).result.content[0].text).toBe('call 99');

    const sessions = createStreamableHttpHandler(server(telemetry));
    const init = await sessions(post(INITIALIZE, JSON_HEADERS));
    await init.text();
    const session = { ...legacy, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    const refused = await sessions(post(call(10, null), session));
    expect(refused.status).toBeLessThan(500);
    expect((await refused.json()).error.code).toBe(-32602);
    const again = await sessions(post(call(10), session));
    expect((await again.json()).result.content[0].text).toBe('call 10');
    await Promise.all([stateless.close(), sessions.close()]);
  });
});

describe('telemetry that throws (a backend down, a user implementation)', () => {
  it.each([
    ['when a request arrives', throwing],
    ['when a request ends', throwingAtEnd],
  ])('costs no answer %s: modern, stateless, session and stdio', async (_when, telemetry) => {
    const modern = createStreamableHttpHandler(server(telemetry), { maxConcurrentRequests: 1 });
    for (const id of [1, 2]) {
      const response = await modern(
        post(
          JSON.stringify({
            jsonrpc: '2.0',
            id,
            method: 'tools/call',
            params: { name: 'echo', arguments: { text: 'modern' }, _meta: MODERN_META },
          }),
          modernHeaders('tools/call', 'echo'),
        ),
      );
      expect(response.status).toBe(200);
      expect((await response.json()).result.content[0].text).toBe('modern');
    }
    const stateless = createStreamableHttpHandler(server(telemetry), {
      legacy: 'stateless',
      maxConcurrentRequests: 1,
    });
    for (const id of [1, 2]) {
      const response = await stateless(
        post(call(id), { ...JSON_HEADERS, 'mcp-protocol-version': '2025-11-25' }),
      );
      expect((await response.json()).result.content[0].text).toBe(`call ${id}`);
    }
    const { send, answer } = await stdio(telemetry);
    for (const id of [1, 1]) {
      send(call(id));
      expect((await answer(id)).result?.content[0].text).toBe(`call ${id}`);
    }
    await Promise.all([modern.close(), stateless.close()]);
  });
});

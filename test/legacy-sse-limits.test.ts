// The 2024-11-05 HTTP+SSE transport answers every POST 202 at once: its requests still count
// against maxConcurrentRequests / maxConcurrentRequestsPerClient until answered or cancelled.
import { afterEach, describe, expect, it } from 'vitest';
import { serveHttp } from '../src/adapters/index.js';
import { McpServer } from '../src/server/index.js';
import { createLegacySseHandler } from '../src/transports/index.js';
import { readEvents } from '../src/transports/streamable-http/sse-reader.js';
import { until } from './helpers/demo.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function session(perClient: number) {
  const held: (() => void)[] = [];
  const mcp = new McpServer({ name: 'held', version: '1' });
  mcp.tool(
    'hold',
    {},
    (_args, ctx) =>
      new Promise<string>((resolve) => {
        held.push(() => resolve('released'));
        ctx.signal.addEventListener('abort', () => resolve('cancelled'));
      }),
  );
  const handler = createLegacySseHandler(mcp, { maxConcurrentRequestsPerClient: perClient });
  const http = await serveHttp(handler, { port: 0, path: '/sse', routes: { '/messages': handler } });
  const stream = new AbortController();
  cleanups.push(
    () => http.close(),
    () => handler.close(),
    async () => stream.abort(),
  );
  const response = await fetch(http.url, { headers: { accept: 'text/event-stream' }, signal: stream.signal });
  const answered = new Set<unknown>();
  let endpoint: URL | undefined;
  void (async () => {
    for await (const event of readEvents(response.body!)) {
      if (event.event === 'endpoint') endpoint = new URL(event.data, http.url);
      else if (event.data) {
        for (const m of [JSON.parse(event.data)].flat()) if ('id' in m) answered.add(m.id);
      }
    }
  })().catch(() => {});
  await until(() => endpoint !== undefined, 'the endpoint event');
  const post = (body: unknown) =>
    fetch(endpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const init = { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'old', version: '1' } };
  await post({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: init });
  await until(() => answered.has('init'), 'the initialize answer');
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  const call = (id: number) =>
    post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'hold', arguments: {} } });
  return { post, call, held, answered };
}

describe('2024-11-05 HTTP+SSE request bounds', () => {
  it('counts requests until answered or cancelled, and refuses past the per-client bound naming it', async () => {
    const { post, call, held, answered } = await session(2);
    expect((await call(1)).status).toBe(202);
    expect((await call(2)).status).toBe(202);
    const refused = await call(3);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toMatch(/maxConcurrentRequestsPerClient/);
    // A cancelled request gets no answer: its place comes back all the same.
    await post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } });
    expect((await call(4)).status).toBe(202);
    expect((await call(5)).status).toBe(429);
    // Answered requests give theirs back.
    await until(() => held.length === 3, 'the calls to start');
    for (const release of held.splice(0)) release();
    await until(() => answered.has(2) && answered.has(4), 'the answers');
    // A batch holds a place per request until its one answer: here a refusal with no id, since
    // 2024-11-05 has no batches (a place it kept would be lost for good).
    const batch = [1, 2].map((n) => ({ jsonrpc: '2.0', id: `b${n}`, method: 'ping' }));
    expect((await post(batch)).status).toBe(202);
    await until(() => answered.has(null), 'the batch refusal');
    expect((await call(6)).status).toBe(202);
    expect((await call(7)).status).toBe(202);
  });
});

// One-shot dispatch: modern requests and stateless legacy ones are served with no connection per
// request. What a connection used to give them must still hold: shutdown answers them, a departed
// client cancels them, middleware sees them, and progress turns the answer into a stream.
import { afterEach, describe, expect, it } from 'vitest';
import { McpServer } from '../src/server/index.js';
import { httpServer, JSON_HEADERS, MODERN_META, modernHeaders } from './helpers/http.js';

let server: Awaited<ReturnType<typeof httpServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function slowServer() {
  const mcp = new McpServer({ name: 'one-shot', version: '1' });
  mcp.tool('slow', {}, () => new Promise((resolve) => setTimeout(() => resolve('late'), 5000)));
  mcp.tool('steps', {}, async (_args, ctx) => {
    await ctx.progress(1, 2);
    await ctx.progress(2, 2);
    return 'done';
  });
  mcp.tool('ask', {}, async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: 'name?',
      requestedSchema: { type: 'object', properties: {} },
    });
    return answer.action;
  });
  return mcp;
}

const modernCall = (name: string, id: number, meta: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {}, _meta: { ...MODERN_META, ...meta } },
});
const legacyCall = (name: string, id: number, meta?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {}, ...(meta ? { _meta: meta } : {}) },
});
const STATELESS_HEADERS = { ...JSON_HEADERS, 'mcp-protocol-version': '2025-11-25' };

describe('one-shot requests at shutdown', () => {
  it('server.close() answers a modern and a stateless legacy request still running, after the grace period', async () => {
    const mcp = slowServer();
    server = await httpServer({ legacy: 'stateless' }, mcp);
    const url = server.url;
    const modern = fetch(url, {
      method: 'POST',
      headers: modernHeaders('tools/call', 'slow'),
      body: JSON.stringify(modernCall('slow', 7)),
    });
    const legacy = fetch(url, {
      method: 'POST',
      headers: STATELESS_HEADERS,
      body: JSON.stringify(legacyCall('slow', 8)),
    });
    await new Promise((r) => setTimeout(r, 100));
    await mcp.close(50);
    const answers = await Promise.all([modern, legacy].map(async (r) => (await r).json()));
    expect(answers[0]).toMatchObject({ id: 7, error: { code: -32000 } });
    expect(answers[1]).toMatchObject({ id: 8, error: { code: -32000 } });
    expect(answers[0].error.message).toMatch(/grace period 50 ms/);
  });
});

describe('stateless legacy mode', () => {
  it('streams progress as SSE when the client asked for it, then the answer', async () => {
    server = await httpServer({ legacy: 'stateless' }, slowServer());
    const r = await fetch(server.url, {
      method: 'POST',
      headers: STATELESS_HEADERS,
      body: JSON.stringify(legacyCall('steps', 3, { progressToken: 'p' })),
    });
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    const events = (await r.text())
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)));
    expect(events.map((e) => e.method ?? 'answer')).toEqual([
      'notifications/progress',
      'notifications/progress',
      'answer',
    ]);
    expect(events[2]).toMatchObject({ id: 3, result: { content: [{ type: 'text', text: 'done' }] } });
  });

  it('a handler that asks the client for input gets an error it can report (no session to carry it)', async () => {
    server = await httpServer({ legacy: 'stateless' }, slowServer());
    const r = await fetch(server.url, {
      method: 'POST',
      headers: STATELESS_HEADERS,
      body: JSON.stringify(legacyCall('ask', 4)),
    });
    const answer = await r.json();
    // The client declared no elicitation capability: the refusal says so instead of hanging.
    expect(JSON.stringify(answer)).toMatch(/elicitation/i);
    expect(answer.id).toBe(4);
  });

  it('answers ping, and notifications with 202', async () => {
    server = await httpServer({ legacy: 'stateless' }, slowServer());
    const ping = await fetch(server.url, {
      method: 'POST',
      headers: STATELESS_HEADERS,
      body: '{"jsonrpc":"2.0","id":"p","method":"ping"}',
    });
    expect(await ping.json()).toEqual({ jsonrpc: '2.0', id: 'p', result: {} });
    const note = await fetch(server.url, {
      method: 'POST',
      headers: STATELESS_HEADERS,
      body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
    });
    expect(note.status).toBe(202);
  });
});

describe('middleware sees one-shot requests', () => {
  it('runs around modern and stateless legacy requests alike, with the era and the client key', async () => {
    const mcp = slowServer();
    const seen: string[] = [];
    mcp.use(async (ctx, next) => {
      seen.push(`${ctx.era}:${ctx.method}`);
      return next();
    });
    server = await httpServer({ legacy: 'stateless' }, mcp);
    await (
      await fetch(server.url, {
        method: 'POST',
        headers: modernHeaders('tools/call', 'steps'),
        body: JSON.stringify(modernCall('steps', 1)),
      })
    ).json();
    await (
      await fetch(server.url, {
        method: 'POST',
        headers: STATELESS_HEADERS,
        body: JSON.stringify(legacyCall('steps', 2)),
      })
    ).json();
    expect(seen).toEqual(['modern:tools/call', 'legacy:tools/call']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpServer, JSON_HEADERS, MODERN_META, modernHeaders } from './helpers/http.js';

let server: Awaited<ReturnType<typeof httpServer>>;
beforeAll(async () => {
  server = await httpServer({ maxBodyBytes: 64 * 1024, maxSessions: 3, maxStreamsPerSession: 1 });
});
afterAll(async () => {
  await server?.close();
});

const echo = (text: string, id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text }, _meta: MODERN_META },
});

async function post(body: unknown, headers: Record<string, string> = modernHeaders('tools/call', 'echo')) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const isJson = response.headers.get('content-type') === 'application/json';
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: isJson && text ? JSON.parse(text) : undefined,
  };
}

/** Every refusal must leave the server serving the next request. */
async function stillServing() {
  const ok = await post(echo('ok', 'after'));
  expect(ok.status).toBe(200);
  expect(ok.json.result.content).toEqual([{ type: 'text', text: 'ok' }]);
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};

/** A GET stream on a session; retried while the server still counts a stream just closed. */
async function openGetStream(sid: string): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const r = await fetch(server.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid } });
    if (r.status !== 429 || attempt === 50) return r;
    await r.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function openSession(): Promise<string> {
  const r = await post(INITIALIZE, JSON_HEADERS);
  expect(r.status).toBe(200);
  return r.headers.get('mcp-session-id')!;
}

describe('modern requests (2026-07-28): stateless POST with mirrored headers', () => {
  it('answers JSON for a plain call', async () => {
    const r = await post(echo('hello'));
    expect([r.status, r.headers.get('content-type')]).toEqual([200, 'application/json']);
    expect(r.json.result).toEqual({ resultType: 'complete', content: [{ type: 'text', text: 'hello' }] });
  });

  it('upgrades to SSE when the handler reports progress, with X-Accel-Buffering: no', async () => {
    const body = {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: {
        name: 'count',
        arguments: { to: 2, delayMs: 1 },
        _meta: { ...MODERN_META, progressToken: 'p' },
      },
    };
    const r = await post(body, modernHeaders('tools/call', 'count'));
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    expect(r.headers.get('x-accel-buffering')).toBe('no');
    const events = [...r.text.matchAll(/^data: (.+)$/gm)].map((m) => JSON.parse(m[1]!));
    expect(events.map((e) => e.method ?? 'result')).toEqual([
      'notifications/progress',
      'notifications/progress',
      'result',
    ]);
  });

  it.each([
    ['a missing MCP-Protocol-Version', { 'mcp-protocol-version': '' }],
    ['a protocol version header unlike the body', { 'mcp-protocol-version': '2025-11-25' }],
    ['a missing Mcp-Method', { 'mcp-method': '' }],
    ['an Mcp-Method unlike the body', { 'mcp-method': 'tools/list' }],
    ['an Mcp-Name unlike the body', { 'mcp-name': 'add' }],
  ])('refuses %s with 400 and -32020', async (_what, override) => {
    const headers: Record<string, string> = { ...modernHeaders('tools/call', 'echo'), ...override };
    for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
    const r = await post(echo('x'), headers);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe(-32020);
    await stillServing();
  });

  it('accepts an Mcp-Name in the Base64 sentinel form', async () => {
    const r = await post(echo('b64'), {
      ...modernHeaders('tools/call'),
      'mcp-name': `=?base64?${btoa('echo')}?=`,
    });
    expect(r.status).toBe(200);
  });

  it('refuses an unsupported version with 400 and -32022 naming the supported ones', async () => {
    const body = echo('x');
    body.params._meta = { ...MODERN_META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' };
    const r = await post(body, {
      ...modernHeaders('tools/call', 'echo'),
      'mcp-protocol-version': '2099-01-01',
    });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({
      code: -32022,
      data: { supported: expect.arrayContaining(['2026-07-28']), requested: '2099-01-01' },
    });
  });

  it('answers an unknown method with 404 and -32601', async () => {
    const r = await post(
      { jsonrpc: '2.0', id: 3, method: 'no/such', params: { _meta: MODERN_META } },
      modernHeaders('no/such'),
    );
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe(-32601);
  });
});

describe('bounds and checks', () => {
  it('refuses an oversized body with 413', async () => {
    const r = await post(echo('x'.repeat(70 * 1024)));
    expect(r.status).toBe(413);
    await stillServing();
  });

  it('refuses a foreign Origin with 403 (DNS rebinding)', async () => {
    const r = await post(echo('x'), {
      ...modernHeaders('tools/call', 'echo'),
      origin: 'https://evil.example',
    });
    expect(r.status).toBe(403);
    expect(
      (await post(echo('x'), { ...modernHeaders('tools/call', 'echo'), origin: 'http://localhost:5173' }))
        .status,
    ).toBe(200);
    await stillServing();
  });

  it('refuses a wrong content type with 415 and an unacceptable Accept with 406', async () => {
    expect(
      (await post(echo('x'), { ...modernHeaders('tools/call', 'echo'), 'content-type': 'text/plain' }))
        .status,
    ).toBe(415);
    expect(
      (await post(echo('x'), { ...modernHeaders('tools/call', 'echo'), accept: 'text/html' })).status,
    ).toBe(406);
    await stillServing();
  });

  it('answers a malformed body with 400 and a parse error', async () => {
    const r = await post('{"jsonrpc": "2.0",', modernHeaders('tools/call', 'echo'));
    expect([r.status, r.json.error.code]).toEqual([400, -32700]);
    await stillServing();
  });

  it('answers an unknown session with 404 and a missing one with 400', async () => {
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    expect((await post(call, { ...JSON_HEADERS, 'mcp-session-id': 'no-such-session' })).status).toBe(404);
    expect((await post(call, JSON_HEADERS)).status).toBe(400);
    await stillServing();
  });

  it('caps open streams per session (429), caps sessions (503), and DELETE ends a session', async () => {
    const sid = await openSession();
    const first = await fetch(server.url, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': sid },
    });
    expect(first.status).toBe(200);
    const second = await fetch(server.url, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': sid },
    });
    expect(second.status).toBe(429);
    await first.body?.cancel();
    const more = [await openSession(), await openSession()];
    // Every session busy (a GET stream open on each): none can be evicted, so a new one is refused.
    const held = await Promise.all([sid, ...more].map((id) => openGetStream(id)));
    const refused = await post(INITIALIZE, JSON_HEADERS);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.json.error).toMatchObject({ code: -32005, data: { limit: 'maxSessions' } });
    expect(refused.json.error.message).toContain('maxSessions');
    for (const stream of held) await stream.body?.cancel();
    for (const id of [sid, ...more])
      expect((await fetch(server.url, { method: 'DELETE', headers: { 'mcp-session-id': id } })).status).toBe(
        200,
      );
    expect(
      (await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, { ...JSON_HEADERS, 'mcp-session-id': sid }))
        .status,
    ).toBe(404);
    await stillServing();
  });

  it('answers GET without a session with 405', async () => {
    expect((await fetch(server.url, { headers: { accept: 'text/event-stream' } })).status).toBe(405);
  });

  it('session ids are unguessable UUIDs from a CSPRNG', async () => {
    const ids = [await openSession(), await openSession()];
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[0]).not.toBe(ids[1]);
    for (const id of ids) await fetch(server.url, { method: 'DELETE', headers: { 'mcp-session-id': id } });
  });
});

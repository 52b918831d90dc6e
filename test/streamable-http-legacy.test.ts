import { afterEach, describe, expect, it } from 'vitest';
import { readEvents } from '../src/transports/streamable-http/sse-reader.js';
import { httpServer, JSON_HEADERS } from './helpers/http.js';

let server: Awaited<ReturnType<typeof httpServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const init = (protocolVersion = '2025-11-25') => ({
  jsonrpc: '2.0',
  id: 'init',
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 't', version: '1' } },
});

async function open(url: string): Promise<string> {
  const r = await fetch(url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(init()) });
  await r.text();
  const sid = r.headers.get('mcp-session-id')!;
  await fetch(url, {
    method: 'POST',
    headers: { ...JSON_HEADERS, 'mcp-session-id': sid },
    body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
  });
  return sid;
}

describe('legacy Streamable HTTP (2025-03-26 .. 2025-11-25)', () => {
  it('resumes a dropped response stream on GET with Last-Event-ID, replaying only that stream', async () => {
    server = await httpServer();
    const sid = await open(server.url);
    const headers = { ...JSON_HEADERS, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' };
    const call = {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'count', arguments: { to: 3, delayMs: 60 }, _meta: { progressToken: 't' } },
    };
    const response = await fetch(server.url, { method: 'POST', headers, body: JSON.stringify(call) });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = readEvents(response.body!);
    const priming = (await events.next()).value!;
    expect(priming).toMatchObject({ id: expect.any(String), data: '', retry: expect.any(Number) });
    await events.return(undefined);
    await response.body!.cancel(); // the client drops the connection before any message
    await new Promise((r) => setTimeout(r, 300)); // the tool finishes meanwhile
    const resumed = await fetch(server.url, {
      headers: { ...headers, accept: 'text/event-stream', 'last-event-id': priming.id! },
    });
    const messages: Array<Record<string, any>> = [];
    for await (const event of readEvents(resumed.body!)) {
      if (!event.data) continue;
      messages.push(JSON.parse(event.data));
      if (messages.at(-1)!.id === 7) break;
    }
    expect(messages.map((m) => m.params?.progress ?? m.method ?? 'result')).toEqual([
      1,
      2,
      3,
      'notifications/message',
      'result',
    ]);
    expect(messages.at(-1)!.result.content).toEqual([{ type: 'text', text: 'counted to 3' }]);
    const foreign = await fetch(server.url, {
      headers: { ...headers, accept: 'text/event-stream', 'last-event-id': 'another-session_1' },
    });
    expect(foreign.status).toBe(404);
  });

  it('expires idle sessions', async () => {
    server = await httpServer({ sessionIdleMs: 50 });
    const sid = await open(server.url);
    expect(server.handler.sessionCount).toBe(1);
    await expect.poll(() => server!.handler.sessionCount, { timeout: 5000 }).toBe(0);
    const r = await fetch(server.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'mcp-session-id': sid },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    expect(r.status).toBe(404);
  });

  it('serves legacy requests statelessly when asked, taking a missing version header as 2025-03-26', async () => {
    server = await httpServer({ legacy: 'stateless' });
    const initialized = await fetch(server.url, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(init('2025-06-18')),
    });
    expect(initialized.headers.get('mcp-session-id')).toBeNull();
    expect((await initialized.json()).result.protocolVersion).toBe('2025-06-18');
    const call = {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'stateless' } },
    };
    const r = await fetch(server.url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(call) });
    expect((await r.json()).result.content).toEqual([{ type: 'text', text: 'stateless' }]);
    expect(
      (await fetch(server.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': 'x' } })).status,
    ).toBe(405);
    expect(server.handler.sessionCount).toBe(0);
  });

  it('can refuse the legacy era outright', async () => {
    server = await httpServer({ legacy: 'reject' });
    const r = await fetch(server.url, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(init()),
    });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toMatchObject({ code: -32022, data: { supported: ['2026-07-28'] } });
  });
});

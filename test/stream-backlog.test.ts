// A client that stops reading an SSE stream must not grow the server's memory: past
// maxStreamBacklogBytes of unread events the stream ends as if the client had gone away.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serveHttp } from '../src/adapters/index.js';
import { McpServer } from '../src/server/index.js';
import { createLegacySseHandler } from '../src/transports/index.js';
import { httpServer, JSON_HEADERS, MODERN_META, postInitialize, sessionHeaders } from './helpers/http.js';

let server: Awaited<ReturnType<typeof httpServer>> | undefined;
const sockets: Socket[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await server?.close();
  server = undefined;
});

const BACKLOG = 64 * 1024;
/** Far more than loopback's socket buffers and the bound together hold. */
const MAX_EVENTS = 200_000;

function floodServer() {
  const warnings: Record<string, unknown>[] = [];
  const logger = {
    debug() {},
    info() {},
    warn: (details: Record<string, unknown>) => void warnings.push(details),
    error() {},
  };
  const flood = { sent: 0, aborted: false, finished: false };
  const mcp = new McpServer({ name: 'flood', version: '1' }, { logger });
  mcp.resource('demo://x', { name: 'x' }, () => ({ contents: [{ uri: 'demo://x', text: 'x' }] }));
  mcp.tool('flood', { description: 'Reports progress until cancelled' }, async (_args, ctx) => {
    while (!ctx.signal.aborted && flood.sent < MAX_EVENTS) {
      await ctx.progress(flood.sent++, MAX_EVENTS, 'still going');
      if (flood.sent % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    flood.aborted = ctx.signal.aborted;
    flood.finished = true;
    return 'done';
  });
  return { mcp, warnings, flood };
}

/** Sends a request on a raw socket and never reads the answer. */
function stalled(url: string, head: string, body = ''): Socket {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  sockets.push(socket);
  socket.write(
    `${head}\r\nhost: 127.0.0.1:${port}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.pause();
  return socket;
}

const headerLines = (headers: Record<string, string>) =>
  Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');

function postModern(url: string, body: unknown, name: string): Promise<Response> {
  const headers = {
    ...JSON_HEADERS,
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': name,
  };
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
}

async function until(done: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A flood server on HTTP with a legacy session subscribed to demo://x, and its GET headers. */
async function subscribedSession() {
  const flood = floodServer();
  server = await httpServer({ maxStreamBacklogBytes: BACKLOG }, flood.mcp);
  const init = await postInitialize(server.url);
  const sessionId = init.headers.get('mcp-session-id')!;
  const post = (body: unknown) =>
    fetch(server!.url, { method: 'POST', headers: sessionHeaders(sessionId), body: JSON.stringify(body) });
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  await post({ jsonrpc: '2.0', id: 2, method: 'resources/subscribe', params: { uri: 'demo://x' } });
  const headers = {
    accept: 'text/event-stream',
    'mcp-session-id': sessionId,
    'mcp-protocol-version': '2025-11-25',
  };
  return { ...flood, post, headers };
}

describe('a client that stops reading an SSE stream (maxStreamBacklogBytes)', () => {
  it('legacy GET stream: ends once its backlog passes the bound, and the session lives on', async () => {
    const { mcp, warnings, post, headers } = await subscribedSession();
    const socket = stalled(server!.url, `GET /mcp HTTP/1.1\r\n${headerLines(headers)}`);
    await until(() => server!.handler.load.streams.used === 1, 'the GET stream');

    let updates = 0;
    while (server!.handler.load.streams.used > 0 && updates < MAX_EVENTS) {
      for (let i = 0; i < 200; i++, updates++) await mcp.notifyResourceUpdated('demo://x');
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server!.handler.load.streams.used).toBe(0);
    expect(updates).toBeLessThan(MAX_EVENTS);
    expect(warnings).toEqual([expect.objectContaining({ option: 'maxStreamBacklogBytes' })]);
    // The server hung up: a client that reads again finds the stream cut.
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.resume();
    await closed;
    // The session itself is still served.
    const listed = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' });
    expect(listed.status).toBe(200);
  });

  it('a Last-Event-ID replay larger than the bound reaches the client whole', async () => {
    const { mcp, warnings, headers } = await subscribedSession();
    // A stream that takes 900 updates (about twice the bound) into its socket buffers, then drops.
    const first = stalled(server!.url, `GET /mcp HTTP/1.1\r\n${headerLines(headers)}`);
    await until(() => server!.handler.load.streams.used === 1, 'the GET stream');
    for (let i = 0; i < 900; i++) {
      await mcp.notifyResourceUpdated('demo://x');
      if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    first.destroy();
    await until(() => server!.handler.load.streams.used === 0, 'the stream to end');
    // The client saw the first event only: everything after it is replayed at once.
    const resumed = await fetch(server!.url, { headers: { ...headers, 'last-event-id': 'g_1' } });
    expect(resumed.status).toBe(200);
    const ids: string[] = [];
    const reader = resumed.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (ids.length < 899) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      for (const m of text.matchAll(/^id: (\S+)$/gm)) if (!ids.includes(m[1]!)) ids.push(m[1]!);
    }
    await reader.cancel();
    expect(ids).toEqual(Array.from({ length: 899 }, (_, i) => `g_${i + 2}`));
    expect(warnings).toEqual([]);
  });

  it('modern POST stream: the request is cancelled as if the client had gone', async () => {
    const { mcp, warnings, flood } = floodServer();
    server = await httpServer({ maxStreamBacklogBytes: BACKLOG }, mcp);
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'flood', arguments: {}, _meta: { ...MODERN_META, progressToken: 'p' } },
    });
    const headers = {
      ...JSON_HEADERS,
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'flood',
    };
    stalled(server.url, `POST /mcp HTTP/1.1\r\n${headerLines(headers)}`, body);
    await until(() => flood.finished, 'the tool to stop');
    expect(flood).toMatchObject({ aborted: true });
    expect(flood.sent).toBeLessThan(MAX_EVENTS);
    expect(warnings).toEqual([expect.objectContaining({ option: 'maxStreamBacklogBytes' })]);
    await until(() => server!.handler.load.requests.used === 0, 'the request slot back');
  });

  it('a burst the handler sends without yielding reaches a client that reads, whole', async () => {
    const { mcp, warnings } = floodServer();
    // 20,000 progress notifications (about 3 MB, three times the default bound) in one run of
    // awaits: Node writes none of them before the next tick, so they all wait in the stream first.
    mcp.tool('burst', {}, async (_args, ctx) => {
      for (let i = 0; i < 20_000; i++) await ctx.progress(i, 20_000, 'x'.repeat(20));
      return ctx.signal.aborted ? 'aborted' : 'finished';
    });
    server = await httpServer({}, mcp);
    const body = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'burst', arguments: {}, _meta: { ...MODERN_META, progressToken: 'p' } },
    };
    const response = await postModern(server.url, body, 'burst');
    const text = await response.text();
    expect(text.match(/notifications\/progress/g)).toHaveLength(20_000);
    expect(text).toContain('"text":"finished"');
    expect(warnings).toEqual([]);
  });

  it('2024-11-05 HTTP+SSE: the session ends, since its stream carries everything', async () => {
    const { mcp, warnings } = floodServer();
    const handler = createLegacySseHandler(mcp, { maxStreamBacklogBytes: BACKLOG });
    const http = await serveHttp(handler, { port: 0, path: '/sse', routes: { '/messages': handler } });
    cleanups.push(
      () => handler.close(),
      () => http.close(),
    );
    const socket = stalled(http.url, 'GET /sse HTTP/1.1\r\naccept: text/event-stream');
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk;
    });
    socket.resume();
    await until(() => /sessionId=[\w-]+/.test(head), 'the endpoint event');
    socket.pause();
    const endpoint = new URL(/data: (\S+)/.exec(head)![1]!, http.url);
    const post = (body: unknown) =>
      fetch(endpoint, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
    const init = {
      protocolVersion: '2024-11-05',
      capabilities: {},
      clientInfo: { name: 'old', version: '1' },
    };
    await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: init });
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await post({ jsonrpc: '2.0', id: 2, method: 'resources/subscribe', params: { uri: 'demo://x' } });
    // Updates before the subscription is in place (its answer goes to the unread stream) reach no one.
    let updates = 0;
    while (warnings.length === 0 && updates < MAX_EVENTS) {
      for (let i = 0; i < 200; i++, updates++) await mcp.notifyResourceUpdated('demo://x');
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(warnings).toEqual([expect.objectContaining({ option: 'maxStreamBacklogBytes' })]);
    expect((await post({ jsonrpc: '2.0', id: 3, method: 'ping' })).status).toBe(404);
  });
});

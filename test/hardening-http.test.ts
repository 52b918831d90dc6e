import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serveHttp } from '../src/adapters/index.js';
import { InMemoryEventStore, type StreamableHttpOptions } from '../src/transports/index.js';
import { readEvents } from '../src/transports/streamable-http/sse-reader.js';
import { httpServer, JSON_HEADERS, MODERN_META, modernHeaders } from './helpers/http.js';

let server: Awaited<ReturnType<typeof httpServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: StreamableHttpOptions = {}) {
  server = await httpServer(options);
  return server;
}

/** Sends raw bytes on a new socket and resolves with everything the server writes before closing. */
function raw(url: string, text: string, { end = true } = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => (end ? socket.end(text) : socket.write(text)));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

const modernCall = (name: string, args: Record<string, unknown>, id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, _meta: MODERN_META },
});

function postModern(url: string, body: unknown, headers: Record<string, string> = {}) {
  const name = (body as { params?: { name?: string } }).params?.name;
  return fetch(url, {
    method: 'POST',
    headers: { ...modernHeaders('tools/call', name), ...headers },
    body: JSON.stringify(body),
  });
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 'init',
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
};

async function openSession(url: string, headers: Record<string, string> = {}): Promise<string> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(INITIALIZE),
  });
  expect(r.status).toBe(200);
  await r.text();
  const sid = r.headers.get('mcp-session-id')!;
  const ack = await fetch(url, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' },
    body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
  });
  expect(ack.status).toBe(202);
  return sid;
}

const sessionHeaders = (sid: string, extra: Record<string, string> = {}) => ({
  ...JSON_HEADERS,
  'mcp-session-id': sid,
  'mcp-protocol-version': '2025-11-25',
  ...extra,
});

async function echoWorks(url: string): Promise<void> {
  const r = await postModern(url, modernCall('echo', { text: 'still here' }, 'after'));
  expect(r.status).toBe(200);
  expect((await r.json()).result.content[0].text).toBe('still here');
}

describe('a request that cannot become a web Request (defect 1: crashed the process)', () => {
  it.each(['localhost@evil.com', 'user:pw@127.0.0.1', 'a%zz'])(
    'Host: %s gets 400 and the server keeps serving',
    async (host) => {
      const { url } = await start();
      const body = JSON.stringify(modernCall('echo', { text: 'x' }));
      const answer = await raw(
        url,
        `POST /mcp HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      await echoWorks(url);
    },
  );

  it('a plain web handler behind the node adapter (the Request bridge) gets 400 too', async () => {
    const http = await serveHttp(async (request) => new Response(new URL(request.url).host), { port: 0 });
    try {
      for (const host of ['localhost@evil.com', 'a%zz']) {
        const answer = await raw(http.url, `GET /mcp HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      }
      expect(await (await fetch(http.url)).text()).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      await http.close();
    }
  });

  it('an absolute-form request target that is no URL gets 400, not a crash', async () => {
    const { url } = await start();
    const answer = await raw(
      url,
      'GET http://a%zz/mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await echoWorks(url);
  });
});

describe('legacy POST streams leave nothing behind (defect 2: leaked until out of memory)', () => {
  it('DELETE and expiry drop every stream of the session from the event store', async () => {
    const eventStore = new InMemoryEventStore();
    const { url } = await start({ eventStore, sessionIdleMs: 300 });
    const sids = [await openSession(url), await openSession(url)];
    for (const sid of sids) {
      for (let i = 0; i < 5; i++) {
        const call = {
          jsonrpc: '2.0',
          id: i,
          method: 'tools/call',
          params: { name: 'count', arguments: { to: 2, delayMs: 1 }, _meta: { progressToken: i } },
        };
        const r = await fetch(url, {
          method: 'POST',
          headers: sessionHeaders(sid),
          body: JSON.stringify(call),
        });
        expect(r.headers.get('content-type')).toBe('text/event-stream'); // progress upgraded it to SSE
        await r.text();
      }
    }
    expect(eventStore.stats()).toMatchObject({ sessions: 2, streams: 10 });
    expect((await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sids[0]! } })).status).toBe(
      200,
    );
    expect(eventStore.stats()).toMatchObject({ sessions: 1, streams: 5 });
    // The other session expires (idle for sessionIdleMs) and takes its streams with it.
    await expect.poll(() => eventStore.stats().sessions, { timeout: 3000, interval: 50 }).toBe(0);
    expect(eventStore.stats()).toEqual({ clients: 0, sessions: 0, streams: 0, events: 0, bytes: 0 });
  });
});

describe('a request id reused while the first is running (defect 3: the first answer was lost)', () => {
  it('refuses the second POST and still answers the first', async () => {
    const { url } = await start();
    const sid = await openSession(url);
    const call = (id: number) =>
      JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'count', arguments: { to: 2, delayMs: 100 } },
      });
    const first = fetch(url, {
      method: 'POST',
      headers: sessionHeaders(sid, { accept: 'application/json' }),
      body: call(5),
    });
    await new Promise((r) => setTimeout(r, 50));
    const second = await fetch(url, {
      method: 'POST',
      headers: sessionHeaders(sid, { accept: 'application/json' }),
      body: call(5),
    });
    expect(second.status).toBe(400);
    expect(await second.json()).toMatchObject({
      id: 5,
      error: { code: -32600, message: expect.stringContaining('already in use') },
    });
    const answer = await (await first).json();
    expect(answer).toMatchObject({ id: 5, result: { content: [{ type: 'text', text: 'counted to 2' }] } });
  });
});

describe('a batch of nothing but invalid items (defect 4: answered 500)', () => {
  it.each([['[1]'], ['[{"foo":1}]'], ['[{"jsonrpc":"2.0","id":1}]'], ['[1,2,{"jsonrpc":"2.0"}]']])(
    '%s gets 400 and one JSON-RPC error per item',
    async (body) => {
      const { url } = await start();
      const r = await fetch(url, { method: 'POST', headers: JSON_HEADERS, body });
      expect(r.status).toBe(400);
      const errors = (await r.json()) as Array<{ error: { code: number } }>;
      expect(errors).toHaveLength(JSON.parse(body).length);
      for (const e of errors) expect(e.error.code).toBe(-32600);
    },
  );
});

describe('batches over legacy HTTP end their POST (found by the fuzz suite: one hung)', () => {
  const batch = (...ids: string[]) =>
    JSON.stringify(ids.map((id) => ({ jsonrpc: '2.0', id, method: 'ping' })));

  it('a batch carrying initialize is no initialize: refused at once, no session opened', async () => {
    const { url, handler } = await start();
    const r = await fetch(url, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '[{"jsonrpc":"2.0","id":"","method":"initialize"}]',
    });
    expect(r.status).toBe(400);
    expect(handler.sessionCount).toBe(0);
  });

  it('a batch a revision does not allow gets its one error and the POST ends', async () => {
    const { url } = await start();
    const sid = await openSession(url); // 2025-11-25: no batches
    const r = await fetch(url, { method: 'POST', headers: sessionHeaders(sid), body: batch('a', 'b') });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({
      id: null,
      error: { code: -32600, message: expect.stringContaining('2025-11-25') },
    });
    // The ids are free again.
    const again = await fetch(url, {
      method: 'POST',
      headers: sessionHeaders(sid),
      body: '{"jsonrpc":"2.0","id":"a","method":"ping"}',
    });
    expect(await again.json()).toMatchObject({ id: 'a', result: {} });
  });

  it('on 2025-03-26 a batch is answered, and its ids may be used again afterwards', async () => {
    const { url } = await start();
    const init = await fetch(url, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({
        ...INITIALIZE,
        params: { ...INITIALIZE.params, protocolVersion: '2025-03-26' },
      }),
    });
    await init.text();
    const sid = init.headers.get('mcp-session-id')!;
    const headers = { ...JSON_HEADERS, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-03-26' };
    await (
      await fetch(url, {
        method: 'POST',
        headers,
        body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      })
    ).text();
    for (let round = 0; round < 2; round++) {
      const r = await fetch(url, { method: 'POST', headers, body: batch('x', 'y') });
      expect(((await r.json()) as Array<{ id: string }>).map((m) => m.id)).toEqual(['x', 'y']);
    }
    // An invalid item first: its error (id null) comes back in the same array as the request's answer.
    const mixed = await fetch(url, {
      method: 'POST',
      headers,
      body: '[{"id":{},"method":"x"},{"jsonrpc":"2.0","id":"z","method":"ping"}]',
    });
    expect(((await mixed.json()) as Array<{ id: unknown }>).map((m) => m.id)).toEqual([null, 'z']);
  });
});

describe('slow bodies and connection caps (defect 5: held forever, no cap)', () => {
  it('a stalled body is answered 408 and closed after requestTimeoutMs', async () => {
    const { createDemoServer } = await import('../src/cli/demo.js');
    const { createStreamableHttpHandler } = await import('../src/transports/index.js');
    const http = await serveHttp(createStreamableHttpHandler(createDemoServer()), {
      port: 0,
      requestTimeoutMs: 400,
    });
    try {
      const answer = await raw(
        http.url,
        'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"jsonrpc"',
        { end: false },
      );
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await http.close();
    }
  });

  it('refuses connections past maxConnectionsPerClient with a 503 that names the option', async () => {
    const { createDemoServer } = await import('../src/cli/demo.js');
    const { createStreamableHttpHandler } = await import('../src/transports/index.js');
    const http = await serveHttp(createStreamableHttpHandler(createDemoServer()), {
      port: 0,
      maxConnectionsPerClient: 3,
    });
    const { port } = new URL(http.url);
    const held = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const s = connect(Number(port), '127.0.0.1', () => resolve(s));
            s.on('error', () => {});
            s.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n');
          }),
      ),
    );
    try {
      const refused = await raw(http.url, 'GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      expect(refused).toMatch(/^HTTP\/1\.1 503 /);
      expect(refused).toContain('maxConnectionsPerClient');
      for (const s of held) s.destroy();
      // Freed places are usable again.
      await expect
        .poll(async () => (await fetch(http.url, { method: 'DELETE' })).status, { timeout: 3000 })
        .toBe(405);
    } finally {
      for (const s of held) s.destroy();
      await http.close();
    }
  });
});

describe('modern streams and requests are bounded (defect 7: listen uncounted, no concurrency cap)', () => {
  const listen = (id: number, headers: Record<string, string> = {}) =>
    fetch(server!.url, {
      method: 'POST',
      headers: { ...modernHeaders('subscriptions/listen'), ...headers },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'subscriptions/listen',
        params: { notifications: { toolsListChanged: true }, _meta: MODERN_META },
      }),
    });

  it('counts subscriptions/listen in maxOpenStreams (503) and maxStreamsPerClient (429)', async () => {
    const { url } = await start({
      maxOpenStreams: 3,
      maxStreamsPerClient: 2,
      clientKey: (r) => r.headers.get('x-client') ?? '',
    });
    const a = [await listen(1, { 'x-client': 'a' }), await listen(2, { 'x-client': 'a' })];
    for (const r of a) expect(r.status).toBe(200);
    const overClient = await listen(3, { 'x-client': 'a' });
    expect([overClient.status, overClient.headers.get('retry-after')]).toEqual([429, '1']);
    expect(await overClient.json()).toMatchObject({
      id: 3,
      error: { code: -32005, data: { limit: 'maxStreamsPerClient' } },
    });
    const b = await listen(4, { 'x-client': 'b' });
    expect(b.status).toBe(200);
    const overAll = await listen(5, { 'x-client': 'c' });
    expect(overAll.status).toBe(503);
    expect((await overAll.json()).error.message).toContain('maxOpenStreams');
    for (const r of [...a, b]) await r.body?.cancel();
    await expect
      .poll(
        async () => {
          const r = await listen(6, { 'x-client': 'c' });
          await r.body?.cancel();
          return r.status;
        },
        { timeout: 3000 },
      )
      .toBe(200);
    await echoWorks(url);
  });

  it('a stream the server ends (DELETE of its session) gives its place back', async () => {
    const { url } = await start({ maxOpenStreams: 1 });
    const [a, b] = [await openSession(url), await openSession(url)];
    const first = await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': a } });
    expect(first.status).toBe(200);
    const full = await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': b } });
    expect(full.status).toBe(503);
    await full.body?.cancel();
    expect((await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': a } })).status).toBe(200);
    const second = await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': b } });
    expect(second.status).toBe(200);
    await second.body?.cancel();
    await first.body?.cancel().catch(() => {});
  });

  it('refuses requests past maxConcurrentRequests (503) and the per-client cap (429), in both eras', async () => {
    const { url } = await start({
      maxConcurrentRequests: 3,
      maxConcurrentRequestsPerClient: 2,
      clientKey: (r) => r.headers.get('x-client') ?? '',
    });
    const slow = (id: number, client: string) =>
      postModern(url, modernCall('count', { to: 1, delayMs: 400 }, id), {
        'x-client': client,
        accept: 'application/json',
      });
    const running = [slow(1, 'a'), slow(2, 'a')];
    await new Promise((r) => setTimeout(r, 100));
    const perClient = await slow(3, 'a');
    expect([perClient.status, perClient.headers.get('retry-after')]).toEqual([429, '1']);
    expect(await perClient.json()).toMatchObject({
      id: 3,
      error: { code: -32005, data: { limit: 'maxConcurrentRequestsPerClient' } },
    });
    running.push(slow(4, 'b'));
    await new Promise((r) => setTimeout(r, 100));
    // Legacy requests share the same bound.
    const sid = await openSession(url, { 'x-client': 'c' }).catch(() => undefined);
    expect(sid).toBeUndefined(); // initialize itself is a request in flight: refused while full
    const global = await slow(5, 'c');
    expect(global.status).toBe(503);
    expect((await global.json()).error.message).toContain('maxConcurrentRequests');
    for (const r of await Promise.all(running)) expect(r.status).toBe(200);
    await echoWorks(url);
  });
});

describe('per-client session caps and idle eviction (defect 8: one client held every session)', () => {
  const as = (client: string) => ({ 'x-client': client });

  it('a client at maxSessionsPerClient loses its own idle sessions first, and is refused only when all are busy', async () => {
    const { url } = await start({
      maxSessions: 10,
      maxSessionsPerClient: 2,
      clientKey: (r) => r.headers.get('x-client') ?? '',
    });
    const first = await openSession(url, as('a'));
    const second = await openSession(url, as('a'));
    const third = await openSession(url, as('a')); // evicts `first`, a's least recently used idle session
    const gone = await fetch(url, {
      method: 'POST',
      headers: sessionHeaders(first, as('a')),
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    expect(gone.status).toBe(404);
    // Both of a's sessions busy (a GET stream each): a's next initialize is refused, b's is not.
    const streams = await Promise.all(
      [second, third].map((sid) =>
        fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid, ...as('a') } }),
      ),
    );
    for (const s of streams) expect(s.status).toBe(200);
    const refused = await fetch(url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, ...as('a') },
      body: JSON.stringify(INITIALIZE),
    });
    expect(refused.status).toBe(429);
    expect((await refused.json()).error.message).toContain('maxSessionsPerClient');
    await openSession(url, as('b'));
    for (const s of streams) await s.body?.cancel();
  });

  it('a full table evicts the least recently used idle session before refusing anyone', async () => {
    const { url, handler } = await start({ maxSessions: 3 });
    const sids = [await openSession(url), await openSession(url), await openSession(url)];
    // Touch the first so that the second is the least recently used.
    expect(
      (
        await fetch(url, {
          method: 'POST',
          headers: sessionHeaders(sids[0]!),
          body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
        })
      ).status,
    ).toBe(200);
    await openSession(url);
    expect(handler.sessionCount).toBe(3);
    const evicted = await fetch(url, {
      method: 'POST',
      headers: sessionHeaders(sids[1]!),
      body: '{"jsonrpc":"2.0","id":2,"method":"ping"}',
    });
    expect(evicted.status).toBe(404);
    const kept = await fetch(url, {
      method: 'POST',
      headers: sessionHeaders(sids[0]!),
      body: '{"jsonrpc":"2.0","id":3,"method":"ping"}',
    });
    expect(kept.status).toBe(200);
  });
});

describe('a modern client that disconnects cancels its request (node adapter: info.signal)', () => {
  it('the handler sees its signal abort when the POST is dropped before the answer', async () => {
    const { McpServer } = await import('../src/server/index.js');
    const mcp = new McpServer({ name: 'cancel', version: '1' });
    let aborted = 0;
    mcp.tool(
      'wait',
      {},
      (_args, ctx) =>
        new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(String(++aborted)))),
    );
    server = await httpServer({}, mcp);
    const controller = new AbortController();
    const pending = postModern(server.url, modernCall('wait', {}), { accept: 'application/json' });
    const dropped = fetch(server.url, {
      method: 'POST',
      headers: { ...modernHeaders('tools/call', 'wait'), accept: 'application/json' },
      body: JSON.stringify(modernCall('wait', {}, 2)),
      signal: controller.signal,
    }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await dropped;
    await expect.poll(() => aborted, { timeout: 3000 }).toBe(1);
    void pending.catch(() => {});
  });
});

describe('a session that ends while a POST waits (DELETE, expiry, shutdown)', () => {
  it('answers the waiting POST with an error instead of leaving it open', async () => {
    const { url } = await start();
    const sid = await openSession(url);
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: { name: 'count', arguments: { to: 5, delayMs: 200 } },
    });
    const pending = fetch(url, {
      method: 'POST',
      headers: sessionHeaders(sid, { accept: 'application/json' }),
      body: call,
    });
    await new Promise((r) => setTimeout(r, 50));
    expect((await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sid } })).status).toBe(200);
    const answer = await (await pending).json();
    expect(answer).toMatchObject({ id: 9, error: { code: -32000 } });
  });

  it('a request the client cancels ends its POST (no answer, 202) and leaves the session idle', async () => {
    const { url, handler } = await start({ sessionIdleMs: 200 });
    const sid = await openSession(url);
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 'slow',
      method: 'tools/call',
      params: { name: 'count', arguments: { to: 100, delayMs: 100 } },
    });
    const pending = fetch(url, {
      method: 'POST',
      headers: sessionHeaders(sid, { accept: 'application/json' }),
      body: call,
    });
    await new Promise((r) => setTimeout(r, 50));
    const cancel = JSON.stringify({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 'slow' },
    });
    expect((await fetch(url, { method: 'POST', headers: sessionHeaders(sid), body: cancel })).status).toBe(
      202,
    );
    const ended = await pending;
    expect([ended.status, await ended.text()]).toEqual([202, '']);
    // Nothing is in flight any more: the session expires as idle.
    await expect.poll(() => handler.sessionCount, { timeout: 3000, interval: 50 }).toBe(0);
  });

  it('streams of a resumed POST still end with their answer', async () => {
    const { url } = await start();
    const sid = await openSession(url);
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'count', arguments: { to: 2, delayMs: 20 }, _meta: { progressToken: 'p' } },
    });
    const r = await fetch(url, { method: 'POST', headers: sessionHeaders(sid), body: call });
    const ids: string[] = [];
    for await (const e of readEvents(r.body!)) if (e.id) ids.push(e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

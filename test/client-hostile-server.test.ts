import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../src/client/index.js';
import { StreamableHttpClientTransport } from '../src/transports/index.js';
import { discovered } from './helpers/wire.js';

// A server an mcpkit client connects to may be hostile or broken. One that answered a call with a
// body that never ended made the client buffer it all (about 150 MB a second here, until the
// process ran out of memory); one that never ended an SSE line also cost it CPU for every chunk.

const DISCOVER = discovered('hostile');

/** Writes `chunk` for as long as the client reads; resolves when the client hangs up. */
function endless(res: ServerResponse, first: string, chunk: string): Promise<number> {
  let sent = 0;
  return new Promise((resolve) => {
    const push = () => {
      while (!res.destroyed) {
        const next = sent === 0 ? first : chunk;
        sent += next.length;
        if (!res.write(next)) return;
      }
    };
    res.on('drain', push);
    res.on('close', () => resolve(sent));
    push();
  });
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/** A server that answers discovery and `tools/call fine` properly, and `tools/call flood` without end. */
async function hostileServer(flood: 'json' | 'sse-line' | 'sse-event') {
  const hangUps: Promise<number>[] = [];
  const http = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const message = text ? JSON.parse(text) : {};
    const json = (result: unknown) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
    if (message.method === 'server/discover') return json(DISCOVER);
    if (message.method !== 'tools/call') return json({});
    if (message.params.name === 'fine') return json({ content: [{ type: 'text', text: 'fine' }] });
    const x = 'x'.repeat(64 * 1024);
    if (flood === 'json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      hangUps.push(endless(res, `{"jsonrpc":"2.0","id":${message.id},"result":{"a":"`, x));
    } else {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const line = flood === 'sse-line' ? x : `${x}\ndata: `;
      hangUps.push(endless(res, 'data: ', line));
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  stop = () =>
    new Promise((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    });
  return { url, hangUps };
}

describe('an HTTP server that answers without end', () => {
  it.each([
    ['a JSON body', 'json', /The answer exceeds 1048576 characters \(maxMessageLength\)/],
    ['an SSE line', 'sse-line', /An SSE line exceeds 1048576 characters \(maxMessageLength\)/],
    ['an SSE event', 'sse-event', /An SSE event exceeds 1048576 characters \(maxMessageLength\)/],
  ] as const)(
    'fails the call past maxMessageLength (%s), hangs up, and the client goes on',
    async (_what, flood, error) => {
      const { url, hangUps } = await hostileServer(flood);
      const client = new Client({ name: 'victim', version: '1' });
      await client.connect(new StreamableHttpClientTransport(url, { maxMessageLength: 1024 * 1024 }));
      await expect(client.callTool('flood', {})).rejects.toThrow(error);
      // The client stopped the download: the server saw it hang up after about the limit.
      const sent = await hangUps[0]!;
      expect(sent).toBeGreaterThan(1024 * 1024);
      expect(sent).toBeLessThan(64 * 1024 * 1024);
      expect(await client.callTool('fine', {})).toMatchObject({ content: [{ text: 'fine' }] });
      await client.close();
    },
  );
});

describe('a legacy server whose GET stream ends at once with retry: 0', () => {
  it('is reconnected to at a bounded pace, not in a loop', async () => {
    let gets = 0;
    const http = createServer(async (req, res) => {
      if (req.method === 'GET') {
        gets++;
        res.writeHead(200, { 'content-type': 'text/event-stream' }).end('retry: 0\n\n');
        return;
      }
      if (req.method !== 'POST') return void res.writeHead(200).end(); // DELETE at close
      let text = '';
      for await (const chunk of req) text += chunk;
      const message = JSON.parse(text);
      if (message.id === undefined) return void res.writeHead(202).end();
      const result =
        message.method === 'initialize'
          ? { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'loop', version: '1' } }
          : {};
      res
        .writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    stop = () => new Promise((resolve) => http.close(() => resolve()));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
    const client = new Client({ name: 'victim', version: '1' }, { era: 'legacy' });
    await client.connect(new StreamableHttpClientTransport(url));
    await new Promise((r) => setTimeout(r, 500));
    await client.close();
    // At least 100 ms between reconnections: a handful in half a second (it was hundreds).
    expect(gets).toBeGreaterThanOrEqual(1);
    expect(gets).toBeLessThanOrEqual(8);
  });
});

/**
 * A client connected to a modern server that answers discovery, and every other request with
 * `answer` (given the message and the request's headers).
 */
async function modernClientOf(
  answer: (message: any, headers: Record<string, string | string[] | undefined>) => unknown,
): Promise<Client> {
  const http = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const message = JSON.parse(text);
    const result = message.method === 'server/discover' ? DISCOVER : answer(message, req.headers);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  stop = () => new Promise((resolve) => http.close(() => resolve()));
  const client = new Client({ name: 'victim', version: '1' });
  await client.connect(
    new StreamableHttpClientTransport(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`),
  );
  return client;
}

describe('a tools/list with items that are not tools, over HTTP', () => {
  it('lists the real tools and drops items with no name', async () => {
    const client = await modernClientOf(() => ({
      tools: [null, 7, { inputSchema: {} }, { name: 'fine', inputSchema: { type: 'object' } }],
    }));
    expect((await client.listTools()).items.map((t) => t.name)).toEqual(['fine']);
    await client.close();
  });
});

describe('a server that lists ever more annotated tools, over HTTP', () => {
  it('keeps the header annotations of the 10,000 most recent only, and of no absurd name', async () => {
    const annotated = (name: string) => ({
      name,
      inputSchema: { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' } } },
    });
    const long = 'x'.repeat(2000);
    const tools = [...Array.from({ length: 10_001 }, (_, i) => annotated(`t${i}`)), annotated(long)];
    const regions = new Map<string, string | undefined>();
    const client = await modernClientOf((message, headers) => {
      if (message.method !== 'tools/call')
        return { resultType: 'complete', tools, ttlMs: 0, cacheScope: 'private' };
      regions.set(message.params.name, headers['mcp-param-region'] as string | undefined);
      return { resultType: 'complete', content: [] };
    });
    expect((await client.listTools()).items).toHaveLength(10_002);
    for (const name of ['t0', 't1', 't10000', long])
      await client.callTool(name, { region: 'eu' }, { timeoutMs: 5000 });
    // The oldest was let go (its call goes without the header); the newest are kept.
    expect(Object.fromEntries(regions)).toEqual({
      t0: undefined,
      t1: 'eu',
      t10000: 'eu',
      [long]: undefined,
    });
    await client.close();
  });
});

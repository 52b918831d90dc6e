import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serveHttp } from '../src/adapters/index.js';
import { Client, ClientPool } from '../src/client/index.js';
import type { McpError } from '../src/protocol/errors.js';
import { McpServer } from '../src/server/index.js';
import { createStreamableHttpHandler, StreamableHttpClientTransport } from '../src/transports/index.js';
import { faultProxy } from './helpers/fault-proxy.js';

// The mcpkit client against an official SDK server behind a proxy that fails on purpose.

let target: ChildProcess;
let targetUrl: string;
let proxy: Awaited<ReturnType<typeof faultProxy>>;

beforeAll(async () => {
  target = spawn(
    process.execPath,
    [fileURLToPath(new URL('./fixtures/sdk-http-server.mjs', import.meta.url))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  targetUrl = await new Promise<string>((resolve) =>
    target
      .stdout!.setEncoding('utf8')
      .once('data', (line: string) => resolve(/listening (\S+)/.exec(line)![1]!)),
  );
});
afterAll(() => {
  target?.kill('SIGKILL');
});
afterEach(async () => {
  await proxy?.close();
});

async function runs(): Promise<{ lookup: number; charge: number }> {
  return (await fetch(targetUrl.replace(/\/mcp$/, '/__runs'))).json() as Promise<{
    lookup: number;
    charge: number;
  }>;
}

async function connected(options: ConstructorParameters<typeof Client>[1] = {}) {
  proxy = await faultProxy(targetUrl);
  const client = new Client({ name: 'resilient', version: '1' }, { requestTimeoutMs: 2000, ...options });
  const retries: string[] = [];
  client.on('retry', ({ method, error }) => retries.push(`${method}: ${error.message}`));
  await client.connect(new StreamableHttpClientTransport(proxy.url));
  await client.allTools(); // learns which tools say they are read-only
  return { client, retries };
}

describe('retries', () => {
  it('repeats reads and read-only tools through drops, 503s, 429s and a stall', async () => {
    const { client, retries } = await connected({ requestTimeoutMs: 500, retry: { baseDelayMs: 20 } });
    const before = (await runs()).lookup;
    proxy.fail('drop', 1, 'tools/call:lookup');
    proxy.fail('503', 1, 'tools/call:lookup');
    expect((await client.callTool('lookup', { q: 'a' })).content).toEqual([
      { type: 'text', text: 'found a' },
    ]);
    proxy.fail('429', 1, 'tools/list');
    proxy.fail('stall', 1, 'tools/list');
    expect((await client.listTools()).items.map((t) => t.name).sort()).toEqual(['charge', 'emit', 'lookup']);
    expect(retries).toEqual([
      expect.stringMatching(/^tools\/call: Cannot reach/),
      'tools/call: HTTP 503 Service Unavailable',
      'tools/list: HTTP 429 Too Many Requests',
      expect.stringMatching(/^tools\/list: .*timed out/i),
    ]);
    expect((await runs()).lookup).toBe(before + 1); // the failed attempts never reached the tool
    await client.close();
  });

  it('never sends a non-idempotent tool call twice', async () => {
    const { client, retries } = await connected({ retry: { baseDelayMs: 20 } });
    const before = (await runs()).charge;
    proxy.fail('503', 1, 'tools/call:charge');
    const refused = await client.callTool('charge', { amount: 5 }).catch((e: McpError) => e);
    expect((refused as McpError).message).toBe('HTTP 503 Service Unavailable');
    proxy.fail('stall', 1, 'tools/call:charge');
    await client.callTool('charge', { amount: 5 }, { timeoutMs: 300 }).catch(() => undefined);
    expect(retries).toEqual([]);
    expect(proxy.forwarded('tools/call:charge')).toBe(0); // neither reached the server
    expect((await runs()).charge).toBe(before);
    await client.close();
  });

  it('gives up when the server asks for a longer wait than maxDelayMs, saying how long', async () => {
    const { client } = await connected({ retry: { maxDelayMs: 500 } });
    proxy.fail('429', 1, 'tools/call:lookup'); // Retry-After: 1 (1000 ms)
    const refused = (await client.callTool('lookup', { q: 'b' }).catch((e: McpError) => e)) as McpError;
    expect([refused.code, refused.data]).toEqual([-32005, { scope: 'client', retryAfterMs: 1000 }]);
    await client.close();
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, fails fast while open, and closes after a good trial', async () => {
    const states: string[] = [];
    const { client } = await connected({
      retry: false,
      circuitBreaker: { consecutiveFailures: 3, openMs: 200 },
    });
    client.on('circuit', (state) => states.push(state));
    proxy.fail('503', 3);
    for (let i = 0; i < 3; i++) await client.callTool('lookup', { q: 'x' }).catch(() => undefined);
    expect(client.circuit).toBe('open');
    const forwardedBefore = proxy.forwarded('tools/call:lookup');
    const fast = (await client.callTool('lookup', { q: 'x' }).catch((e: McpError) => e)) as McpError;
    expect(fast.data).toMatchObject({ limit: 'circuitBreaker' });
    expect(proxy.forwarded('tools/call:lookup')).toBe(forwardedBefore); // refused without a request
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(client.circuit).toBe('half-open');
    expect((await client.callTool('lookup', { q: 'y' })).content).toEqual([
      { type: 'text', text: 'found y' },
    ]);
    expect(states).toEqual(['open', 'half-open', 'closed']);
    await client.close();
  });
});

describe('ClientPool', () => {
  it('balances over members, fails safe requests over, never repeats a charge, and takes a member back', async () => {
    const second = spawn(
      process.execPath,
      [fileURLToPath(new URL('./fixtures/sdk-http-server.mjs', import.meta.url))],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const secondUrl = await new Promise<string>((resolve) =>
      second
        .stdout!.setEncoding('utf8')
        .once('data', (line: string) => resolve(/listening (\S+)/.exec(line)![1]!)),
    );
    const a = await faultProxy(targetUrl);
    const b = await faultProxy(secondUrl);
    const pool = new ClientPool(
      { name: 'pooled', version: '1' },
      { balance: 'round-robin', healthIntervalMs: 100 },
    );
    const events: string[] = [];
    pool.on('memberDown', (name) => events.push(`down ${name}`));
    pool.on('memberUp', (name) => events.push(`up ${name}`));
    try {
      await pool.add('a', () => new StreamableHttpClientTransport(a.url));
      await pool.add('b', () => new StreamableHttpClientTransport(b.url));
      await pool.listTools();
      for (let i = 0; i < 10; i++) await pool.callTool('lookup', { q: `${i}` });
      expect([a.forwarded('tools/call:lookup'), b.forwarded('tools/call:lookup')]).toEqual([5, 5]);

      a.fail('drop', 1_000_000); // a goes dark
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => pool.callTool('lookup', { q: `f${i}` })),
      );
      expect(answers.map((r) => (r.content as { text: string }[])[0]!.text)).toEqual(
        Array.from({ length: 6 }, (_, i) => `found f${i}`),
      );
      expect(pool.status().map((m) => [m.name, m.healthy])).toEqual([
        ['a', false],
        ['b', true],
      ]);

      // A charge on a member that drops it is reported, never sent to the other member.
      await pool.remove('b');
      await pool.add('b', () => new StreamableHttpClientTransport(b.url));
      const chargesBefore = b.forwarded('tools/call:charge');
      a.heal();
      await new Promise((resolve) => setTimeout(resolve, 300)); // checks bring a back
      a.fail('drop', 1, 'tools/call:charge');
      const charges = await Promise.allSettled([
        pool.callTool('charge', { amount: 1 }),
        pool.callTool('charge', { amount: 1 }),
      ]);
      expect(charges.map((c) => c.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(b.forwarded('tools/call:charge')).toBe(chargesBefore + 1);

      await new Promise((resolve) => setTimeout(resolve, 300)); // a answers its checks again
      const before = [a.forwarded('tools/call:lookup'), b.forwarded('tools/call:lookup')];
      for (let i = 0; i < 10; i++) await pool.callTool('lookup', { q: `r${i}` });
      expect([
        a.forwarded('tools/call:lookup') - before[0]!,
        b.forwarded('tools/call:lookup') - before[1]!,
      ]).toEqual([5, 5]);
      expect(events).toEqual(expect.arrayContaining(['up a', 'up b', 'down a']));
      expect(events.filter((e) => e === 'up a').length).toBeGreaterThanOrEqual(2);
    } finally {
      await pool.close();
      await a.close();
      await b.close();
      second.kill('SIGKILL');
    }
  });
});

describe('the GET stream', () => {
  it('reconnects after every cut and resumes with Last-Event-ID: each event arrives once', async () => {
    const server = new McpServer({ name: 'notifier', version: '1' });
    const uris = Array.from({ length: 40 }, (_, i) => `demo://counter?n=${i + 1}`);
    for (const uri of uris) server.resource(uri, { name: uri }, () => 'n');
    const handler = createStreamableHttpHandler(server);
    const http = await serveHttp(handler, { port: 0 });
    proxy = await faultProxy(http.url);
    const client = new Client({ name: 'listener', version: '1' }, { era: 'legacy' });
    const seen: number[] = [];
    client.on('resourceUpdated', (uri) => seen.push(Number(new URL(uri).searchParams.get('n'))));
    await client.connect(new StreamableHttpClientTransport(proxy.url, { reconnectDelayMs: 20 }));
    try {
      await client.subscribe({ resourceUris: uris });
      await new Promise((resolve) => setTimeout(resolve, 100)); // the GET stream is open
      let cuts = 0;
      for (let n = 1; n <= 30; n++) {
        await server.notifyResourceUpdated(`demo://counter?n=${n}`);
        if (n % 10 === 5) cuts += proxy.cutStreams(); // three cuts, events still coming
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (let i = 0; i < 100 && seen.length < 30; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(cuts).toBe(3);
      expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1)); // none lost, none twice, in order
      // A longer outage: five refused reconnections in a row, then the stream comes back.
      proxy.fail('503', 5, 'GET');
      expect(proxy.cutStreams()).toBe(1);
      for (let n = 31; n <= 40; n++) await server.notifyResourceUpdated(`demo://counter?n=${n}`);
      for (let i = 0; i < 200 && seen.length < 40; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    } finally {
      await client.close();
      await handler.close();
      await http.close();
    }
  });
});

describe('the GET stream of an official SDK server', () => {
  it('resumes after cuts through the proxy with Last-Event-ID: every event once, in order', async () => {
    const official = spawn(
      process.execPath,
      [fileURLToPath(new URL('./fixtures/sdk-http-server.mjs', import.meta.url)), '--stateful'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const officialUrl = await new Promise<string>((resolve) =>
      official
        .stdout!.setEncoding('utf8')
        .once('data', (line: string) => resolve(/listening (\S+)/.exec(line)![1]!)),
    );
    proxy = await faultProxy(officialUrl);
    const client = new Client({ name: 'listener', version: '1' }, { era: 'legacy' });
    const seen: number[] = [];
    client.on('resourceUpdated', (uri) => seen.push(Number(uri.split('/').pop())));
    try {
      await client.connect(new StreamableHttpClientTransport(proxy.url, { reconnectDelayMs: 20 }));
      for (let i = 0; i < 50 && proxy.cutStreams.length === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      await client.callTool('emit', { from: 1, to: 40 }); // forty events, one per 10 ms, on the GET stream
      let cuts = 0;
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 70));
        cuts += proxy.cutStreams();
      }
      for (let i = 0; i < 200 && seen.length < 40; i++) await new Promise((r) => setTimeout(r, 20));
      expect(cuts).toBeGreaterThanOrEqual(3);
      expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    } finally {
      await client.close();
      official.kill('SIGKILL');
    }
  });
});

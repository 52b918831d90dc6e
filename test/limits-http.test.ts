import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeys, bearerAuth } from '../src/auth/index.js';
import { createDemoServer } from '../src/cli/demo.js';
import { rateLimit } from '../src/limits/index.js';
import { httpServer, MODERN_META } from './helpers/http.js';
import { callTool, limitedServer, rssOf, stopAll } from './helpers/limited.js';

// Rate limits over HTTP: one principal's burst is refused with 429 and the retry delay while
// another principal is served as if nothing happened.

const keys = new ApiKeys();
let alice: string;
let bob: string;
let mcp: Awaited<ReturnType<typeof httpServer>>;

beforeAll(async () => {
  alice = (await keys.create({ subject: 'alice' })).key;
  bob = (await keys.create({ subject: 'bob' })).key;
  const server = createDemoServer();
  server.use(rateLimit({ limits: [{ per: 'principal', rate: 10, period: 'minute' }] }));
  mcp = await httpServer(
    { auth: bearerAuth({ resource: 'http://127.0.0.1/mcp', provider: keys.provider }) },
    server,
  );
});
afterAll(async () => {
  await mcp?.close();
});

async function echo(key: string) {
  const response = await fetch(mcp.url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'echo',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'hi' }, _meta: MODERN_META },
    }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe('rate limits over HTTP', () => {
  it("refuses a burst of ten times the limit from one principal with 429, serving another's", async () => {
    const burst = await Promise.all(Array.from({ length: 100 }, () => echo(alice)));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(90);
    const refused = burst.find((r) => r.status === 429)!;
    // 10 per minute: the next token comes in about 6 s.
    expect(refused.headers.get('retry-after')).toBe('6');
    expect(refused.headers.get('ratelimit')).toBe('"per-principal";r=0;t=6');
    expect(refused.headers.get('ratelimit-policy')).toBe('"per-principal";q=10;w=60');
    expect(refused.body.error).toMatchObject({
      code: -32005,
      data: { limit: 'rateLimit:per-principal', scope: 'client' },
    });
    expect(refused.body.error.data.retryAfterMs).toBeGreaterThan(5000);
    expect(refused.body.error.data.retryAfterMs).toBeLessThanOrEqual(6000);
    const other = await Promise.all(Array.from({ length: 10 }, () => echo(bob)));
    expect(other.map((r) => r.status)).toEqual(Array(10).fill(200));
  });
});

describe('load shedding over HTTP', () => {
  afterAll(() => stopAll());

  it('sheds a flood past maxConcurrent with 503 + Retry-After, and the server stays bounded in memory', async () => {
    // The server in a process of its own, so that its memory is measured apart from the load.
    const url = await limitedServer(['--max-concurrent', '32']);
    await Promise.all(Array.from({ length: 100 }, () => callTool(url, 'work'))); // warm: sockets, JIT
    const before = await rssOf(url);
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 5; round++)
      for (const outcome of await Promise.all(Array.from({ length: 1000 }, () => callTool(url, 'work'))))
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    const after = await rssOf(url);
    process.stdout.write(
      `flood of 5 x 1000 requests, maxConcurrent 32: ${JSON.stringify(Object.fromEntries(outcomes))}; server RSS ${(before / 2 ** 20).toFixed(0)} MiB -> ${(after / 2 ** 20).toFixed(0)} MiB\n`,
    );
    expect([...outcomes.keys()].sort()).toEqual(['200', '503 retry-after 1']); // nothing hung
    expect(outcomes.get('503 retry-after 1')).toBeGreaterThan(outcomes.get('200')!);
    expect((after - before) / 2 ** 20).toBeLessThan(100); // generous: 1000 sockets at once
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { Client } from '../client/index.js';
import type { McpError } from '../protocol/errors.js';
import { McpServer } from '../server/index.js';
import { createLinkedPair } from '../transports/index.js';
import { chain } from './chain.js';
import { type LimitStore, MemoryLimitStore } from './limit-store.js';
import { parseRate } from './rate.js';
import { type RateLimitOptions, rateLimit } from './rate-limit.js';
import { type ReliabilityOptions, reliability } from './reliability.js';

async function connected(options: RateLimitOptions): Promise<Client> {
  const server = new McpServer({ name: 'limited', version: '1' });
  server.use(rateLimit(options));
  server.tool('work', {}, () => 'done');
  server.tool('other', {}, () => 'other');
  const [a, b] = createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(b);
  return client;
}

async function refusal(promise: Promise<unknown>): Promise<McpError> {
  try {
    await promise;
  } catch (error) {
    return error as McpError;
  }
  throw new Error('the request was not refused');
}

describe('rateLimit', () => {
  it('admits the burst, then refuses with -32005 and the wait in data (any transport)', async () => {
    const client = await connected({
      limits: [{ per: 'client', rate: 3, period: 'minute', methods: ['tools/call'] }],
    });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.callTool('work')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult)
      .reason as McpError;
    expect(refused.code).toBe(-32005);
    expect(refused.message).toMatch(/^Rate limit exceeded \(per-client: 3 per 60 s\); retry in 20 s$/);
    expect(refused.data).toMatchObject({
      limit: 'rateLimit:per-client',
      scope: 'client',
      retryAfterMs: expect.any(Number),
      rateLimit: '"per-client";r=0;t=20',
      rateLimitPolicy: '"per-client";q=3;w=60',
    });
    expect((refused.data as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(19_000);
    await client.ping(); // server/discover in this era: not a tools/call, so not limited here
    await client.close();
  });

  it('counts every request but ping by default, connection setup included', async () => {
    const client = await connected({ limits: [{ per: 'client', rate: 2, period: 'hour' }] });
    // Connecting took one (server/discover, or initialize); one is left.
    await client.callTool('work');
    expect((await refusal(client.callTool('work'))).code).toBe(-32005);
    await client.close();
  });

  it('keys a session limit on the legacy session; modern requests, which have none, pass it', async () => {
    const limits: RateLimitOptions = {
      limits: [{ per: 'session', rate: 1, period: 'hour', methods: ['tools/call'] }],
    };
    const server = new McpServer({ name: 'sessions', version: '1' });
    const sessions: (string | undefined)[] = [];
    server.use(async (ctx, next) => {
      sessions.push(ctx.sessionId);
      return next();
    });
    server.use(rateLimit(limits));
    server.tool('work', {}, () => 'done');
    const open = async (era: 'legacy' | 'modern') => {
      const [a, b] = createLinkedPair();
      await server.connect(a);
      const client = new Client({ name: 'c', version: '1' }, { era });
      await client.connect(b);
      return client;
    };
    const first = await open('legacy');
    const second = await open('legacy');
    await first.callTool('work');
    expect((await refusal(first.callTool('work'))).data).toMatchObject({ limit: 'rateLimit:per-session' });
    await second.callTool('work'); // a session of its own
    const modern = await open('modern');
    await modern.callTool('work');
    await modern.callTool('work');
    expect(sessions.filter((s) => s !== undefined)).toHaveLength(3); // the three legacy tool calls
    await Promise.all([first.close(), second.close(), modern.close()]);
  });

  it('limits only the tools a rule names; the strictest applying rule is the one reported', async () => {
    const client = await connected({
      limits: [
        { name: 'work-tool', per: 'tool', tools: ['work'], rate: 1, period: 'hour' },
        { name: 'everyone', per: 'global', rate: 100, period: 'second' },
      ],
    });
    await client.callTool('work');
    const refused = await refusal(client.callTool('work'));
    expect(refused.data).toMatchObject({ limit: 'rateLimit:work-tool', scope: 'server' });
    expect((await client.callTool('other')).content).toEqual([{ type: 'text', text: 'other' }]);
    await client.close();
  });

  it('follows onStoreFailure when the store fails or hangs, and never hangs the request', async () => {
    const hanging: LimitStore = { consume: () => new Promise(() => {}) };
    const open = await connected({
      limits: [{ per: 'client', rate: 1, period: 'hour', methods: ['tools/call'] }],
      store: hanging,
      storeTimeoutMs: 50,
    });
    expect((await open.callTool('work')).content).toEqual([{ type: 'text', text: 'done' }]);
    const warnings: string[] = [];
    const closed = await connected({
      limits: [{ per: 'client', rate: 1, period: 'hour', methods: ['tools/call'] }],
      store: { consume: async () => Promise.reject(new Error('connection refused')) },
      onStoreFailure: 'closed',
      logger: { warn: (_details, message) => void warnings.push(message) },
    });
    const refused = await refusal(closed.callTool('work'));
    expect(refused.data).toMatchObject({ limit: 'onStoreFailure', scope: 'server' });
    expect(warnings).toEqual(['rate limit store failed; requests are refused (onStoreFailure)']);
    await open.close();
    await closed.close();
  });

  it('refuses rules it cannot honour at construction', () => {
    expect(() => rateLimit({ limits: [{ per: 'client', rate: 0, period: 'second' }] })).toThrow(
      /rate must be positive/,
    );
    expect(() =>
      rateLimit({
        limits: [
          { per: 'client', rate: 1, period: 'second' },
          { per: 'client', rate: 2, period: 'minute' },
        ],
      }),
    ).toThrow(/distinct names/);
    expect(() => parseRate('20 per second')).toThrow(/such as 20\/s/);
    expect(parseRate('100/min')).toEqual({ rate: 100, period: 'minute' });
  });
});

describe('MemoryLimitStore', () => {
  it('takes from every bucket or none, and refills with time', async () => {
    const store = new MemoryLimitStore();
    const a = { key: 'a', capacity: 2, refillPerMs: 1 / 1000 };
    const b = { key: 'b', capacity: 1, refillPerMs: 1 / 1000 };
    expect((await store.consume([a, b], 1)).allowed).toBe(true);
    const second = await store.consume([a, b], 1);
    expect(second).toMatchObject({ allowed: false, limitedBy: 1 });
    // Refused: `a` kept its token for a request that b would allow.
    expect((await store.consume([a], 1)).allowed).toBe(true);
    expect((await store.consume([a], 1)).allowed).toBe(false);
  });

  it('is bounded: past maxKeys the least recently used bucket goes', async () => {
    const store = new MemoryLimitStore({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) await store.consume([{ key: `k${i}`, capacity: 1, refillPerMs: 1e-6 }], 1);
    expect(store.size).toBe(100);
    // The newest keys are still held (and still empty).
    expect((await store.consume([{ key: 'k999', capacity: 1, refillPerMs: 1e-6 }], 1)).allowed).toBe(false);
  });
});

describe('reliability', () => {
  async function reliable(options: ReliabilityOptions) {
    const server = new McpServer({ name: 'reliable', version: '1' });
    server.use(reliability(options));
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    server.tool('slow', {}, async () => {
      entered++;
      await gate;
      return 'slow done';
    });
    server.tool('other_slow', {}, async () => {
      entered++;
      await gate;
      return 'other done';
    });
    server.tool('fast', {}, () => 'fast done');
    const [a, b] = createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(b);
    /** Resolves once `n` slow calls are running in their handlers. */
    const running = async (n: number) => {
      while (entered < n) await new Promise((resolve) => setTimeout(resolve, 1));
    };
    return { client, release, running };
  }

  it('answers a tool past its timeout with -32001 naming the option', async () => {
    const { client, release } = await reliable({ timeoutMs: 10_000, tools: { slow: { timeoutMs: 30 } } });
    const refused = await refusal(client.callTool('slow'));
    expect([refused.code, refused.message]).toEqual([
      -32001,
      'Tool slow took longer than 30 ms (tools.slow.timeoutMs)',
    ]);
    expect((await client.callTool('fast')).content).toEqual([{ type: 'text', text: 'fast done' }]);
    release();
    await client.close();
  });

  it('caps one tool (bulkhead) and sheds everything past maxConcurrent', async () => {
    const { client, release, running } = await reliable({
      tools: { slow: { concurrency: 2 } },
      maxConcurrent: 3,
    });
    const held = [client.callTool('slow'), client.callTool('slow')];
    await running(2);
    const third = await refusal(client.callTool('slow'));
    expect(third.data).toMatchObject({ limit: 'tools.slow.concurrency', scope: 'server' });
    held.push(client.callTool('other_slow')); // the third and last slot
    await running(3);
    const shed = await refusal(client.callTool('fast'));
    expect([shed.code, shed.message]).toEqual([
      -32005,
      'The server is saturated: 3 requests running (maxConcurrent); retry later or raise maxConcurrent',
    ]);
    expect(shed.data).toMatchObject({ limit: 'maxConcurrent', scope: 'server', retryAfterMs: 1000 });
    release();
    await Promise.all(held);
    expect((await client.callTool('fast')).content).toEqual([{ type: 'text', text: 'fast done' }]);
    await client.close();
  });

  it('gives back the slot of a call refused further in (an unknown tool)', async () => {
    const { client } = await reliable({ maxConcurrent: 1 });
    for (let i = 0; i < 3; i++) expect((await refusal(client.callTool('missing'))).code).toBe(-32602);
    expect((await client.callTool('fast')).content).toEqual([{ type: 'text', text: 'fast done' }]);
    await client.close();
  });
});

describe('chain', () => {
  it('runs limits, then reliability, then observability, whatever order the options are written in', async () => {
    const seen: string[] = [];
    const server = new McpServer({ name: 'chained', version: '1' });
    server.use(
      chain({
        observability: async (ctx, next) => {
          seen.push(`observed ${ctx.method}`);
          return next();
        },
        reliability: { maxConcurrent: 10 },
        limits: { limits: [{ per: 'client', rate: 1, period: 'hour', methods: ['tools/call'] }] },
      }),
    );
    server.tool('work', {}, () => 'done');
    const [a, b] = createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(b);
    await client.callTool('work');
    // Refused by the limit, the outer layer: the inner ones never see it.
    expect((await refusal(client.callTool('work'))).data).toMatchObject({ limit: 'rateLimit:per-client' });
    expect(seen.filter((s) => s === 'observed tools/call')).toHaveLength(1);
    await client.close();
  });
});

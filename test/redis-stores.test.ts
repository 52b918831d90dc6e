// mcpkit/redis against the real Redis on 127.0.0.1:6379: events and tasks written through one
// client ("node A") and read through another ("node B"), bounded, and never crossing sessions.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { serveHttp } from '../src/adapters/index.js';
import { Client } from '../src/client/index.js';
import { RedisEventStore, RedisTaskStore } from '../src/redis/index.js';
import { McpServer, type TaskRecord } from '../src/server/index.js';
import { createStreamableHttpHandler, StreamableHttpClientTransport } from '../src/transports/index.js';
import { MODERN_META, modernHeaders, modernTaskRequest } from './helpers/http.js';
import { serviceAvailable } from './helpers/services.js';

const available = await serviceAvailable('Redis', 6379);
const prefix = `mcpkit-test:${process.pid}:${Date.now()}:`;

/** Two clients, as two nodes would hold; every key this file writes is under `prefix`. */
let a: Redis;
let b: Redis;
beforeAll(() => {
  if (!available) return;
  a = new Redis({ port: 6379, host: '127.0.0.1' });
  b = new Redis({ port: 6379, host: '127.0.0.1' });
});
afterAll(async () => {
  if (!available) return;
  const keys = await a.keys(`${prefix}*`);
  if (keys.length) await a.del(...keys);
  a.disconnect();
  b.disconnect();
});

describe.runIf(available)('RedisEventStore', () => {
  const replay = async (store: RedisEventStore, session: string, lastEventId: string) => {
    const got: [string, string][] = [];
    const stream = await store.replayAfter(session, lastEventId, (id, message) => got.push([id, message]));
    return { stream, got };
  };

  it('replays on node B, exactly once and in order, what node A recorded after the given id', async () => {
    const nodeA = new RedisEventStore(a, { prefix: `${prefix}ev:` });
    const nodeB = new RedisEventStore(b, { prefix: `${prefix}ev:` });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await nodeA.append('s1', 'p1', `message ${i}`, 'client'));
    await nodeA.append('s1', 'p2', 'another stream');
    const { stream, got } = await replay(nodeB, 's1', ids[1]!);
    expect(stream).toBe('p1');
    expect(got).toEqual([
      [ids[2], 'message 2'],
      [ids[3], 'message 3'],
      [ids[4], 'message 4'],
    ]);
    // The newest id: a known stream with nothing after it.
    expect(await replay(nodeB, 's1', ids[4]!)).toEqual({ stream: 'p1', got: [] });
  });

  it("refuses another session's ids, forged ids and nonsense as unknown", async () => {
    const store = new RedisEventStore(a, { prefix: `${prefix}ev:` });
    const id = await store.append('owner', 'p1', 'secret');
    expect(await replay(store, 'intruder', id)).toEqual({ stream: undefined, got: [] });
    for (const forged of [
      'p1_0-0',
      'p9_1-0',
      'nonsense',
      '_1-0',
      `${'x'.repeat(10_000)}_1-0`,
      'p1_1-0; DEL *',
      '',
    ]) {
      expect((await replay(store, 'intruder', forged)).stream).toBeUndefined();
    }
    // The owner's replay still works after all that.
    expect((await replay(store, 'owner', 'p1_0-0')).got).toEqual([[id, 'secret']]);
  });

  it('keeps each stream to maxEventsPerStream, each session to maxStreamsPerSession, every key with a TTL', async () => {
    const store = new RedisEventStore(a, {
      prefix: `${prefix}bounded:`,
      maxEventsPerStream: 3,
      maxStreamsPerSession: 2,
      maxAgeMs: 60_000,
    });
    const first = await store.append('s', 'p1', 'e0');
    for (let i = 1; i < 10; i++) await store.append('s', 'p1', `e${i}`);
    expect((await replay(store, 's', first)).got.map(([, m]) => m)).toEqual(['e7', 'e8', 'e9']);
    const second = await store.append('s', 'p2', 'x');
    await store.append('s', 'p3', 'y'); // a third stream: the least recently written (p1) goes
    expect((await replay(store, 's', first)).stream).toBeUndefined();
    expect((await replay(store, 's', second)).stream).toBe('p2');
    const keys = await a.keys(`${prefix}bounded:*`);
    expect(keys.length).toBe(4); // p2, p3, the index and the byte counts
    for (const key of keys) {
      const ttl = await a.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    await store.dropSession('s');
    expect(await a.keys(`${prefix}bounded:*`)).toEqual([]);
  });

  it("keeps a session's events to maxBytesPerSession, the least recently written stream's oldest first", async () => {
    const store = new RedisEventStore(a, { prefix: `${prefix}bytes:`, maxBytesPerSession: 1000 });
    const hundred = (tag: string) => tag.padEnd(100, '.');
    const start = await store.append('s', 'p1', hundred('p1-0'));
    for (let i = 1; i < 8; i++) await store.append('s', 'p1', hundred(`p1-${i}`));
    for (let i = 0; i < 5; i++) await store.append('s', 'p2', hundred(`p2-${i}`));
    // 1,300 bytes written, 1,000 kept: p1's three oldest went; p2 is whole.
    const p1 = (await replay(store, 's', start)).got.map(([, m]) => m.slice(0, 4));
    expect(p1).toEqual(['p1-3', 'p1-4', 'p1-5', 'p1-6', 'p1-7']);
    const held = await a.hgetall(`${prefix}bytes:{s}:bytes`);
    expect(held).toEqual({ '*': '1000', p1: '500', p2: '500' });
    // One huge session cannot hold more either, whatever its streams.
    for (let i = 0; i < 50; i++) await store.append('s', `q${i}`, hundred(`q${i}`));
    expect(Number(await a.hget(`${prefix}bytes:{s}:bytes`, '*'))).toBeLessThanOrEqual(1000);
    let stored = 0;
    for (const key of await a.keys(`${prefix}bytes:{s}:s:*`))
      for (const [, fields] of await a.xrange(key, '-', '+')) stored += fields[1]!.length;
    expect(stored).toBe(Number(await a.hget(`${prefix}bytes:{s}:bytes`, '*')));
    await store.dropSession('s');
    expect(await a.keys(`${prefix}bytes:*`)).toEqual([]);
  });

  it('records an event appended by several nodes under one key once, with one id', async () => {
    const nodeA = new RedisEventStore(a, { prefix: `${prefix}keyed:` });
    const nodeB = new RedisEventStore(b, { prefix: `${prefix}keyed:` });
    const start = await nodeA.append('s', 'g', 'before');
    const [one, two] = await Promise.all([
      nodeA.append('s', 'g', 'updated', undefined, 'event-1'),
      nodeB.append('s', 'g', 'updated', undefined, 'event-1'),
    ]);
    expect(one).toBe(two);
    const other = await nodeB.append('s', 'g', 'updated', undefined, 'event-2');
    expect(other).not.toBe(one);
    expect((await replay(nodeB, 's', start)).got).toEqual([
      [one, 'updated'],
      [other, 'updated'],
    ]);
  });
});

describe.runIf(available)('RedisTaskStore', () => {
  const record = (overrides: Partial<TaskRecord> = {}): TaskRecord => ({
    taskId: crypto.randomUUID(),
    status: 'working',
    createdAt: new Date().toISOString(),
    lastUpdatedAt: new Date().toISOString(),
    ttlMs: 60_000,
    ...overrides,
  });

  it('a task put through node A is read through node B, and expires with its TTL', async () => {
    const nodeA = new RedisTaskStore(a, { prefix: `${prefix}task:` });
    const nodeB = new RedisTaskStore(b, { prefix: `${prefix}task:` });
    const task = record({ owner: 'alice' });
    await nodeA.put(task);
    expect(await nodeB.get(task.taskId)).toEqual(task);
    const ttl = await a.pttl(`${prefix}task:${task.taskId}`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const short = record({ ttlMs: 200 });
    await nodeA.put(short);
    await expect.poll(() => nodeB.get(short.taskId), { timeout: 3000 }).toBeUndefined();
    expect(await nodeB.get('../../etc')).toBeUndefined();
  });

  it('refuses a new record over maxRecordBytes and fails an update over it', async () => {
    const store = new RedisTaskStore(a, { prefix: `${prefix}task:`, maxRecordBytes: 1000 });
    await expect(store.put(record({ statusMessage: 'x'.repeat(2000) }))).rejects.toMatchObject({
      code: -32005,
      data: { limit: 'maxRecordBytes' },
    });
    const task = record();
    await store.put(task);
    await store.put({
      ...task,
      status: 'completed',
      result: { content: [{ type: 'text', text: 'y'.repeat(2000) }] },
    });
    const stored = await store.get(task.taskId);
    expect(stored?.status).toBe('failed');
    expect(stored?.result).toBeUndefined();
    expect(stored?.error?.message).toMatch(/maxRecordBytes/);
  });

  it('a task created on one server is polled to its result on another', async () => {
    const build = (redis: Redis) => {
      const server = new McpServer(
        { name: 'node', version: '1' },
        { taskStore: new RedisTaskStore(redis, { prefix: `${prefix}task:` }) },
      );
      server.tool('slow', { task: 'optional', input: z.object({ ms: z.number() }) }, async ({ ms }, ctx) =>
        ctx.task(async () => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          return `done after ${ms} ms`;
        }),
      );
      return server;
    };
    const nodes = await Promise.all(
      [a, b].map(async (redis) => {
        const server = build(redis);
        const handler = createStreamableHttpHandler(server);
        const http = await serveHttp(handler, { port: 0 });
        return { server, handler, http };
      }),
    );
    try {
      // Node A creates the task (a raw modern request that declares the tasks extension)...
      const response = await fetch(nodes[0]!.http.url, {
        method: 'POST',
        headers: modernHeaders('tools/call', 'slow'),
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: {
            name: 'slow',
            arguments: { ms: 300 },
            _meta: {
              ...MODERN_META,
              'io.modelcontextprotocol/clientCapabilities': {
                extensions: { 'io.modelcontextprotocol/tasks': {} },
              },
            },
          },
        }),
      });
      const created = ((await response.json()) as { result: { resultType: string; taskId: string } }).result;
      expect(created.resultType).toBe('task');
      // ...and node B, which never ran it, reports it to its end.
      const onB = new Client({ name: 'poller', version: '1' }, { era: 'modern' });
      await onB.connect(new StreamableHttpClientTransport(nodes[1]!.http.url));
      const poll = () => onB.request('tasks/get', { taskId: created.taskId });
      expect((await poll()).status).toBe('working');
      await expect.poll(async () => (await poll()).status, { timeout: 5000 }).toBe('completed');
      expect(((await poll()).result as { content: unknown }).content).toEqual([
        { type: 'text', text: 'done after 300 ms' },
      ]);
      await onB.close();
    } finally {
      for (const node of nodes) {
        await node.handler.close();
        await node.server.close(50);
        await node.http.close();
      }
    }
  });

  it("renews a running task's lease, and reports a task whose server stopped renewing it as failed", async () => {
    const store = new RedisTaskStore(a, { prefix: `${prefix}lease:` });
    // The same code on both nodes, each with its own connection to the store.
    const build = (taskStore: RedisTaskStore) => {
      const node = new McpServer({ name: 'node', version: '1' }, { taskStore, taskLeaseMs: 150 });
      node.tool('slow', { task: 'optional', input: z.object({ ms: z.number() }) }, async ({ ms }, ctx) =>
        ctx.task(async () => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          return 'finished';
        }),
      );
      return node;
    };
    const server = build(store);
    const reader = build(new RedisTaskStore(b, { prefix: `${prefix}lease:` }));
    const [runner, other] = await Promise.all(
      [server, reader].map(async (s) => {
        const handler = createStreamableHttpHandler(s);
        return { s, handler, http: await serveHttp(handler, { port: 0 }) };
      }),
    );
    try {
      const created = await modernTaskRequest(runner!.http.url, 'tools/call', {
        name: 'slow',
        arguments: { ms: 700 },
      });
      const taskId = created.result!.taskId as string;
      // Four leases later it still runs: the runner renews it, so the other node does not call it lost.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect((await modernTaskRequest(other!.http.url, 'tasks/get', { taskId })).result?.status).toBe(
        'working',
      );
      await expect
        .poll(async () => (await modernTaskRequest(other!.http.url, 'tasks/get', { taskId })).result?.status)
        .toBe('completed');

      // A task its server left (the record as a node that died mid-run would leave it).
      const now = Date.now();
      const orphan = crypto.randomUUID();
      await store.put({
        taskId: orphan,
        status: 'working',
        createdAt: new Date(now - 1000).toISOString(),
        lastUpdatedAt: new Date(now - 1000).toISOString(),
        ttlMs: 60_000,
        leaseUntil: now - 1,
      });
      const read = (await modernTaskRequest(other!.http.url, 'tasks/get', { taskId: orphan })).result!;
      expect(read).toMatchObject({
        status: 'failed',
        statusMessage: 'The server running this task stopped before it finished',
        error: { code: -32603 },
      });
      expect(read).not.toHaveProperty('leaseUntil');
      expect((await store.get(orphan))?.status).toBe('failed'); // stored, for every node
    } finally {
      for (const node of [runner!, other!]) {
        await node.handler.close();
        await node.s.close(50);
        await node.http.close();
      }
    }
  });
});

// Two nodes, one Redis: a legacy session opened on one node is served by the other, its state
// (log level) follows it, DELETE ends it on both, a stream's events replay through the other node,
// and ids of sessions that do not exist, or are another caller's, are unknown everywhere.

import { connect as connectNats } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { serveHttp } from '../src/adapters/index.js';
import { ApiKeys, bearerAuth, type RequestAuthenticator } from '../src/auth/index.js';
import { Client } from '../src/client/index.js';
import type { Bus } from '../src/engine/bus.js';
import type { SessionStore, StoredSession } from '../src/http/index.js';
import { NatsBus } from '../src/nats/index.js';
import { RedisBus, RedisEventStore, RedisSessionStore, RedisTaskStore } from '../src/redis/index.js';
import { McpServer } from '../src/server/index.js';
import { createStreamableHttpHandler, StreamableHttpClientTransport } from '../src/transports/index.js';
import {
  JSON_HEADERS,
  listToolsInSession,
  modernTaskRequest,
  openLegacySession,
  postInitialize,
  sessionHeaders,
} from './helpers/http.js';
import { serviceAvailable } from './helpers/services.js';

const available = await serviceAvailable('Redis', 6379);
const prefix = `mcpkit-scale:${process.pid}:${Date.now()}:`;

interface Node {
  url: string;
  calls: number;
  /** Tasks whose handler this node stopped on cancellation. */
  stopped: number;
  server: McpServer;
  close(): Promise<void>;
}

/** A node's own connection to the bus service, and the bus on it. */
interface BusLink {
  bus: Bus;
  close(): Promise<void>;
}

/** Redis pub/sub: a subscriber connection of the node's own, used once ready. */
async function redisBus(redis: Redis): Promise<BusLink> {
  const subscriber = redis.duplicate();
  // Subscribed only once ready: ioredis's ready check is not a command a subscriber may send.
  await new Promise((resolve) => subscriber.once('ready', resolve));
  return {
    bus: new RedisBus(redis, subscriber, { prefix: `${prefix}bus:` }),
    close: async () => subscriber.disconnect(),
  };
}

/** Core NATS subjects, on the machine's NATS server. */
async function natsBus(): Promise<BusLink> {
  const connection = await connectNats({ servers: '127.0.0.1:4222' });
  return {
    bus: new NatsBus(connection, { prefix: `mcpkit-scale.${process.pid}.` }),
    close: () => connection.close(),
  };
}

const natsAvailable = available && (await serviceAvailable('NATS', 4222));
const BUSES = [
  { name: 'Redis pub/sub', link: redisBus, runs: available },
  { name: 'NATS', link: () => natsBus(), runs: natsAvailable },
] as const;

async function startNode(redis: Redis, link: BusLink, auth?: RequestAuthenticator): Promise<Node> {
  const node = { calls: 0, stopped: 0 } as Node;
  const bus = link.bus;
  const taskStore = new RedisTaskStore(redis, { prefix: `${prefix}task:` });
  const server = new McpServer({ name: 'node', version: '1' }, { bus, taskStore, taskPollIntervalMs: 10 });
  server.use(async (ctx, next) => {
    if (ctx.method === 'tools/call') node.calls++;
    return next();
  });
  server.tool('echo', { input: z.object({ text: z.string() }) }, async ({ text }, ctx) => {
    await ctx.log.info(`info about ${text}`);
    await ctx.log.error(`error about ${text}`);
    return text;
  });
  server.tool('count', { input: z.object({ to: z.number() }) }, async ({ to }, ctx) => {
    for (let i = 1; i <= to; i++) {
      await ctx.progress(i, to);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return `counted to ${to}`;
  });
  server.tool('ask', {}, async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: 'Your name?',
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
    });
    return `hello ${String(answer.content?.name)}`;
  });
  server.tool('confirm', { task: 'optional' }, (_args, ctx) =>
    ctx.task(async (task) => {
      const answer = await task.elicit(
        { message: 'Sure?', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } },
        { key: 'sure' },
      );
      return `answer ${String(answer.content?.ok)}`;
    }),
  );
  server.tool('forever', { task: 'optional' }, (_args, ctx) =>
    ctx.task(
      (task) =>
        new Promise((_resolve, reject) =>
          task.signal.addEventListener('abort', () => {
            node.stopped++;
            reject(task.signal.reason);
          }),
        ),
    ),
  );
  server.resource('note://today', { name: 'today' }, () => 'a note');
  node.server = server;
  const handler = createStreamableHttpHandler(server, {
    sessionStore: new RedisSessionStore(redis, { prefix: `${prefix}session:` }),
    eventStore: new RedisEventStore(redis, { prefix: `${prefix}ev:` }),
    bus,
    ...(auth ? { auth } : {}),
  });
  const http = await serveHttp(handler, { port: 0 });
  node.url = http.url;
  node.close = async () => {
    await handler.close();
    await server.close(50);
    await http.close();
    await link.close();
  };
  return node;
}

/** Two nodes on one Redis and a bus, started before the calling suite's tests and stopped after. */
function twoNodes(link: (redis: Redis) => Promise<BusLink>, started: (nodes: Node[], redis: Redis) => void) {
  let redis: Redis;
  let nodes: Node[] = [];
  beforeAll(async () => {
    redis = new Redis({ port: 6379, host: '127.0.0.1' });
    nodes = [await startNode(redis, await link(redis)), await startNode(redis, await link(redis))];
    started(nodes, redis);
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
}

/** What an SSE response carries within `ms`: enough to count deliveries, and never a hang. */
async function readFor(response: Response, ms: number): Promise<string> {
  const reader = response.body!.getReader();
  let text = '';
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const chunk = await Promise.race([
      reader.read(),
      new Promise<undefined>((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()))),
    ]);
    if (chunk?.value) text += new TextDecoder().decode(chunk.value);
  }
  await reader.cancel();
  return text;
}

describe.each(BUSES.filter((b) => b.runs))(
  'legacy sessions shared by two nodes through Redis, bus on $name',
  ({ link }) => {
    let redis: Redis;
    let nodes: Node[];
    twoNodes(link, (started, client) => {
      nodes = started;
      redis = client;
    });

    /** A fetch that sends each request to the next node in turn, as a round-robin balancer would. */
    function roundRobin(): typeof fetch {
      let next = 0;
      return (input, init) => {
        const node = nodes[next++ % nodes.length]!;
        const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
        return fetch(node.url.replace(/\/mcp$/, url.pathname + url.search), init);
      };
    }

    it('serves one session on both nodes; its log level follows it; DELETE ends it on both', async () => {
      const logs: string[] = [];
      const client = new Client({ name: 'balanced', version: '1' }, { era: 'legacy' });
      client.on('log', (entry) => logs.push(`${entry.level}: ${String(entry.data)}`));
      const transport = new StreamableHttpClientTransport(nodes[0]!.url, { fetch: roundRobin() });
      await client.connect(transport);
      const sessionId = transport.sessionId!;
      const before = nodes.map((n) => n.calls);
      for (let i = 0; i < 6; i++)
        expect((await client.callTool('echo', { text: `t${i}` })).content).toEqual([
          { type: 'text', text: `t${i}` },
        ]);
      const served = nodes.map((n, i) => n.calls - before[i]!);
      expect(served.every((n) => n > 0)).toBe(true);
      expect(served.reduce((a, b) => a + b)).toBe(6);

      // The level set through one node holds on the other.
      await client.setLoggingLevel('error');
      logs.length = 0;
      await client.callTool('echo', { text: 'a' });
      await client.callTool('echo', { text: 'b' });
      await expect.poll(() => logs.length).toBe(2);
      expect(logs).toEqual(['error: error about a', 'error: error about b']);

      await client.close(); // DELETE, through one node
      for (const node of nodes) {
        expect((await listToolsInSession(node.url, sessionId)).status).toBe(404);
      }
    });

    it('refuses a forged session id on every node, and stores nothing for it', async () => {
      for (const forged of [crypto.randomUUID(), 'not-a-uuid', 'x'.repeat(500)]) {
        for (const node of nodes) {
          expect((await listToolsInSession(node.url, forged)).status).toBe(404);
        }
      }
      expect(await redis.keys(`${prefix}session:*`)).toEqual([]);
    });

    it("replays a POST stream's events through the other node with Last-Event-ID", async () => {
      const [a, b] = nodes as [Node, Node];
      const sessionId = await openLegacySession(a.url);
      const headers = sessionHeaders(sessionId);
      await fetch(b.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      });
      // A call with progress on node A, SSE; the client reads the first event and goes away.
      const controller = new AbortController();
      const call = await fetch(a.url, {
        method: 'POST',
        headers: { ...headers, accept: 'text/event-stream' },
        signal: controller.signal,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'count', arguments: { to: 5 }, _meta: { progressToken: 'p' } },
        }),
      });
      const reader = call.body!.getReader();
      let text = '';
      let firstId: string | undefined;
      while (firstId === undefined) {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
        firstId = /id: (\S+)\ndata: \{[^\n]*"progress":1/.exec(text)?.[1];
      }
      controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 300)); // node A finishes the call meanwhile
      const resumed = await fetch(b.url, {
        headers: { ...headers, accept: 'text/event-stream', 'last-event-id': firstId },
      });
      expect(resumed.status).toBe(200);
      const replay = resumed.body!.getReader();
      let events = '';
      while (!events.includes('"result"')) events += new TextDecoder().decode((await replay.read()).value);
      await replay.cancel();
      const progress = [...events.matchAll(/"progress":(\d)/g)].map((m) => Number(m[1]));
      expect(progress).toEqual([2, 3, 4, 5]); // every event after the last one seen, once each
      expect(events).toContain('counted to 5');
      // Another session's client cannot replay these events, on either node.
      const otherSession = await openLegacySession(b.url, 'other');
      for (const node of nodes) {
        const stolen = await fetch(node.url, {
          headers: {
            ...JSON_HEADERS,
            accept: 'text/event-stream',
            'mcp-session-id': otherSession,
            'mcp-protocol-version': '2025-11-25',
            'last-event-id': firstId,
          },
        });
        expect(stolen.status).toBe(404);
      }
    });

    it('answers a server-to-client request through whichever node the answer reaches', async () => {
      const client = new Client(
        { name: 'asked', version: '1' },
        { era: 'legacy', elicit: () => ({ action: 'accept', content: { name: 'Ada' } }) },
      );
      await client.connect(new StreamableHttpClientTransport(nodes[0]!.url, { fetch: roundRobin() }));
      // Calls and answers alternate between the nodes: some answers reach the node that asked, some the other.
      for (let i = 0; i < 4; i++)
        expect((await client.callTool('ask', {})).content).toEqual([{ type: 'text', text: 'hello Ada' }]);
      await client.close();
    });

    it('a resource update announced on either node reaches the GET stream once, wherever the session was used', async () => {
      const [a, b] = nodes as [Node, Node];
      const sessionId = await openLegacySession(a.url);
      const headers = sessionHeaders(sessionId);
      const post = (node: Node, body: object) =>
        fetch(node.url, { method: 'POST', headers, body: JSON.stringify(body) });
      await post(b, { jsonrpc: '2.0', method: 'notifications/initialized' });
      await post(b, {
        jsonrpc: '2.0',
        id: 2,
        method: 'resources/subscribe',
        params: { uri: 'note://today' },
      });
      const stream = await fetch(a.url, { headers: { ...headers, accept: 'text/event-stream' } });
      expect(stream.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100)); // the stream is registered on node A
      // Announced on B (which has a copy of the session, without its stream), then on A.
      await b.server.notifyResourceUpdated('note://today');
      await a.server.notifyResourceUpdated('note://today');
      const text = await readFor(stream, 1000);
      expect(text.match(/notifications\/resources\/updated/g)).toHaveLength(2);
      expect(text).toMatch(
        /id: \S+\ndata: \{"jsonrpc":"2.0","method":"notifications\/resources\/updated","params":\{"uri":"note:\/\/today"\}\}/,
      );
      await fetch(b.url, { method: 'DELETE', headers });
    });

    it('a subscription made through one node after the GET stream opened on the other still counts', async () => {
      const [a, b] = nodes as [Node, Node];
      const sessionId = await openLegacySession(a.url);
      const headers = sessionHeaders(sessionId);
      const post = (node: Node, body: object) =>
        fetch(node.url, { method: 'POST', headers, body: JSON.stringify(body) });
      await post(a, { jsonrpc: '2.0', method: 'notifications/initialized' });
      const stream = await fetch(a.url, { headers: { ...headers, accept: 'text/event-stream' } });
      await post(b, {
        jsonrpc: '2.0',
        id: 2,
        method: 'resources/subscribe',
        params: { uri: 'note://today' },
      });
      await new Promise((resolve) => setTimeout(resolve, 100)); // node A hears of the new state
      await b.server.notifyResourceUpdated('note://today');
      const text = await readFor(stream, 1000);
      expect(text.match(/notifications\/resources\/updated/g)).toHaveLength(1);
      await fetch(a.url, { method: 'DELETE', headers });
    });

    it('a resource update announced on a node that never saw the session reaches its GET stream', async () => {
      const [a, b] = nodes as [Node, Node];
      const sessionId = await openLegacySession(a.url);
      const headers = sessionHeaders(sessionId);
      const post = (body: object) => fetch(a.url, { method: 'POST', headers, body: JSON.stringify(body) });
      await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
      await post({ jsonrpc: '2.0', id: 2, method: 'resources/subscribe', params: { uri: 'note://today' } });
      const stream = await fetch(a.url, { headers: { ...headers, accept: 'text/event-stream' } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await b.server.notifyResourceUpdated('note://today');
      const text = await readFor(stream, 1000);
      expect(text.match(/notifications\/resources\/updated/g)).toHaveLength(1);
      await fetch(a.url, { method: 'DELETE', headers });
    });
  },
);

describe.each(BUSES.filter((b) => b.runs))(
  'tasks on a shared store, driven from a node that does not run them, bus on $name',
  ({ link }) => {
    let nodes: Node[];
    twoNodes(link, (started) => (nodes = started));

    const status = async (node: Node, taskId: string) =>
      (await modernTaskRequest(node.url, 'tasks/get', { taskId })).result?.status;

    it('input sent with tasks/update to the other node resumes the handler where it runs', async () => {
      const [a, b] = nodes as [Node, Node];
      const created = (await modernTaskRequest(a.url, 'tools/call', { name: 'confirm', arguments: {} }))
        .result!;
      const taskId = created.taskId as string;
      await expect.poll(() => status(b, taskId)).toBe('input_required');
      const ack = await modernTaskRequest(b.url, 'tasks/update', {
        taskId,
        inputResponses: { sure: { action: 'accept', content: { ok: true } } },
      });
      expect(ack.error).toBeUndefined();
      await expect.poll(() => status(b, taskId)).toBe('completed');
      const done = (await modernTaskRequest(b.url, 'tasks/get', { taskId })).result!;
      expect(done.result).toMatchObject({ content: [{ type: 'text', text: 'answer true' }] });
    });

    it('tasks/cancel on the other node stops the handler where it runs, and the task stays cancelled', async () => {
      const [a, b] = nodes as [Node, Node];
      const created = (await modernTaskRequest(a.url, 'tools/call', { name: 'forever', arguments: {} }))
        .result!;
      const taskId = created.taskId as string;
      expect(await status(b, taskId)).toBe('working');
      expect((await modernTaskRequest(b.url, 'tasks/cancel', { taskId })).error).toBeUndefined();
      await expect.poll(() => a.stopped).toBe(1);
      expect(b.stopped).toBe(0);
      expect(await status(a, taskId)).toBe('cancelled');
      expect(await status(b, taskId)).toBe('cancelled');
    });
  },
);

describe.runIf(available)("another principal's session, task and events, on every node", () => {
  const keys = new ApiKeys();
  let redis: Redis;
  let nodes: Node[];
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  beforeAll(async () => {
    redis = new Redis({ port: 6379, host: '127.0.0.1' });
    // Both nodes know the same keys, as they would from one configuration.
    const auth = bearerAuth({ resource: 'http://127.0.0.1/mcp', provider: keys.provider });
    nodes = [
      await startNode(redis, await redisBus(redis), auth),
      await startNode(redis, await redisBus(redis), auth),
    ];
    alice = { authorization: `Bearer ${(await keys.create({ subject: 'alice' })).key}` };
    bob = { authorization: `Bearer ${(await keys.create({ subject: 'bob' })).key}` };
  });
  afterAll(async () => {
    for (const node of nodes ?? []) await node.close();
    const stored = await redis.keys(`${prefix}*`);
    if (stored.length) await redis.del(...stored);
    redis.disconnect();
  });

  it('refuses them as unknown wherever they are presented', async () => {
    const [a, b] = nodes as [Node, Node];
    const created = (await modernTaskRequest(a.url, 'tools/call', { name: 'forever', arguments: {} }, alice))
      .result!;
    const taskId = created.taskId as string;
    for (const node of nodes) {
      expect((await modernTaskRequest(node.url, 'tasks/get', { taskId }, alice)).result?.status).toBe(
        'working',
      );
      for (const method of ['tasks/get', 'tasks/cancel', 'tasks/update'])
        expect(
          (await modernTaskRequest(node.url, method, { taskId, inputResponses: {} }, bob)).error,
        ).toEqual({
          code: -32602,
          message: `Unknown task: ${taskId}`,
        });
    }
    expect((await modernTaskRequest(b.url, 'tasks/cancel', { taskId }, alice)).error).toBeUndefined();

    // Alice's legacy session: Bob gets 404 for a request in it and for its stream, on either node.
    const init = await postInitialize(a.url, 'alice', alice);
    const sessionId = init.headers.get('mcp-session-id')!;
    for (const node of nodes) {
      expect((await listToolsInSession(node.url, sessionId, bob)).status).toBe(404);
      const stream = await fetch(node.url, {
        headers: { ...sessionHeaders(sessionId), ...bob, accept: 'text/event-stream' },
      });
      expect(stream.status).toBe(404);
    }
  });
});

describe('a session store that does not answer', () => {
  it('a subscription the store did not take is answered 503, and taken when sent again', async () => {
    // A store that keeps sessions in memory, and fails its saves while `down`.
    const kept = new Map<string, StoredSession>();
    let down = false;
    const store: SessionStore = {
      async save(id, session) {
        if (down) throw new Error('store down');
        kept.set(id, structuredClone(session));
      },
      load: async (id) => kept.get(id),
      delete: async (id) => void kept.delete(id),
    };
    const server = new McpServer({ name: 'flaky', version: '1' });
    server.resource('note://today', { name: 'today' }, () => 'a note');
    const handler = createStreamableHttpHandler(server, { sessionStore: store });
    const http = await serveHttp(handler, { port: 0 });
    try {
      const sessionId = await openLegacySession(http.url);
      const headers = sessionHeaders(sessionId);
      const post = (body: object) => fetch(http.url, { method: 'POST', headers, body: JSON.stringify(body) });
      await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
      const subscribe = {
        jsonrpc: '2.0',
        id: 2,
        method: 'resources/subscribe',
        params: { uri: 'note://today' },
      };
      down = true;
      const refused = await post(subscribe);
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { id: number; error: { message: string } }).error.message).toMatch(
        /^The session store is unavailable \(store down\); retry later$/,
      );
      // A request that changes nothing the store keeps is answered as usual meanwhile.
      expect((await post({ jsonrpc: '2.0', id: 3, method: 'ping' })).status).toBe(200);
      down = false;
      expect((await post({ ...subscribe, id: 4 })).status).toBe(200);
      expect(kept.get(sessionId)?.state.subscriptions).toEqual(['note://today']);
    } finally {
      await handler.close();
      await server.close(50);
      await http.close();
    }
  });

  it('initialize and session requests get 503 with Retry-After, naming the store; nothing hangs', async () => {
    const unreachable = new Redis({
      port: 1, // nothing listens there
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => {});
    const server = new McpServer({ name: 'down', version: '1' });
    const handler = createStreamableHttpHandler(server, { sessionStore: new RedisSessionStore(unreachable) });
    const http = await serveHttp(handler, { port: 0 });
    try {
      const init = await postInitialize(http.url);
      expect(init.status).toBe(503);
      expect(init.headers.get('retry-after')).toBe('1');
      expect(init.headers.get('mcp-session-id')).toBeNull();
      expect(((await init.json()) as { error: { message: string } }).error.message).toMatch(
        /^The session store is unavailable \(.+\); retry later$/,
      );
      expect((await listToolsInSession(http.url, crypto.randomUUID())).status).toBe(503);
      expect(handler.sessionCount).toBe(0);
    } finally {
      await handler.close();
      await server.close(50);
      await http.close();
      unreachable.disconnect();
    }
  });
});

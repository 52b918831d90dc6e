// Three mcpkit server processes on one Redis behind HAProxy (round-robin per request, no
// stickiness): official v1/v2 clients and the mcpkit client, in both eras, see one server while
// their requests land on every node; then one node is killed with SIGKILL mid-traffic and nothing
// a client was promised is lost or repeated.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../src/client/index.js';
import { StreamableHttpClientTransport } from '../src/transports/index.js';
import { type Balancer, haproxyAvailable, startBalancer } from './helpers/balancer.js';
import { until } from './helpers/demo.js';
import { modernTaskRequest } from './helpers/http.js';
import { freePort } from './helpers/idp.mjs';
import { serviceAvailable } from './helpers/services.js';

const ready = (await serviceAvailable('Redis', 6379)) && haproxyAvailable();
const prefix = `mcpkit-nodes:${process.pid}:${Date.now()}:`;
const FIXTURE = fileURLToPath(new URL('./fixtures/scale-node.mjs', import.meta.url));
/** What an operator gives every node from its config: one key for MRTR request state. */
const SECRET = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');

interface NodeCounts {
  name: string;
  calls: number;
  requests: number;
  inFlight: number;
  listening: number;
  gets: number;
  resumed: number;
  streams: number;
  jobs: number;
}

interface NodeProcess {
  name: string;
  /** Its own address, bypassing the balancer: for its counters only. */
  direct: string;
  child: ChildProcess;
  counts(): Promise<NodeCounts>;
}

async function startNode(name: string): Promise<NodeProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [FIXTURE, '--port', String(port), '--name', name, '--prefix', prefix, '--secret', SECRET],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`node ${name} exited with ${code}`)));
  });
  const direct = `http://127.0.0.1:${port}`;
  return {
    name,
    direct,
    child,
    counts: async () => (await (await fetch(`${direct}/__node`)).json()) as NodeCounts,
  };
}

describe.runIf(ready)('three nodes behind HAProxy, one Redis', () => {
  let nodes: NodeProcess[];
  let balancer: Balancer;
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis({ port: 6379, host: '127.0.0.1' });
    nodes = await Promise.all(['A', 'B', 'C'].map(startNode));
    balancer = await startBalancer(
      nodes.map((n) => n.direct.replace('http://', '')),
      '/__node',
    );
  }, 20_000);
  afterAll(async () => {
    await balancer?.stop();
    for (const node of nodes ?? []) if (node.child.exitCode === null) node.child.kill('SIGTERM');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  const callsByNode = async () => (await Promise.all(nodes.map((n) => n.counts()))).map((c) => c.calls);

  it('official v1 and v2 clients and the mcpkit client, legacy and modern: no errors, and every node serves', async () => {
    const before = await callsByNode();
    let calls = 0;

    // Official v1: a legacy session, its GET stream, progress, a subscription.
    const v1 = new V1Client({ name: 'v1', version: '1' });
    const v1Updates: string[] = [];
    v1.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void v1Updates.push(n.params.uri));
    const v1Transport = new V1Transport(new URL(balancer.url));
    await v1.connect(v1Transport);
    for (let i = 0; i < 6; i++) {
      expect((await v1.callTool({ name: 'echo', arguments: { text: `v1 ${i}` } })).content).toEqual([
        { type: 'text', text: `v1 ${i}` },
      ]);
      calls++;
    }
    const v1Progress: number[] = [];
    await v1.callTool({ name: 'count', arguments: { to: 3, delayMs: 10 } }, undefined, {
      onprogress: (p) => void v1Progress.push(p.progress),
    });
    calls++;
    expect(v1Progress).toEqual([1, 2, 3]);
    await v1.subscribeResource({ uri: 'note://1' });
    await v1.callTool({ name: 'announce', arguments: { n: 1 } });
    calls++;
    await until(() => v1Updates.includes('note://1'), 'resources/updated on the v1 GET stream');
    // Ends the session (DELETE): its GET stream closes on whichever node holds it.
    await v1Transport.terminateSession();
    await v1.close();

    // Official v2, in each era: calls, an elicitation (server-to-client, legacy; MRTR, modern), progress.
    for (const mode of ['legacy', { pin: '2026-07-28' }] as const) {
      const v2 = new V2Client(
        { name: 'v2', version: '1' },
        { capabilities: { elicitation: {} }, versionNegotiation: { mode } },
      );
      v2.setRequestHandler('elicitation/create', async () => ({
        action: 'accept',
        content: { name: 'Grace' },
      }));
      const v2Transport = new V2Transport(new URL(balancer.url));
      await v2.connect(v2Transport);
      for (let i = 0; i < 6; i++) {
        expect((await v2.callTool({ name: 'add', arguments: { a: i, b: 1 } })).structuredContent).toEqual({
          sum: i + 1,
        });
        calls++;
      }
      for (let i = 0; i < 3; i++) {
        expect((await v2.callTool({ name: 'greet_user', arguments: {} })).content).toEqual([
          { type: 'text', text: 'Hello, Grace!' },
        ]);
        // Modern: the elicitation is an MRTR round, so the call is sent twice (maybe to two nodes).
        calls += mode === 'legacy' ? 1 : 2;
      }
      const seen: number[] = [];
      await v2.callTool(
        { name: 'count', arguments: { to: 3, delayMs: 10 } },
        { onprogress: (p) => void seen.push(p.progress) },
      );
      calls++;
      expect(seen).toEqual([1, 2, 3]);
      if (mode === 'legacy') await v2Transport.terminateSession();
      await v2.close();
    }

    // mcpkit, in each era.
    for (const era of ['legacy', 'modern'] as const) {
      const client = new Client(
        { name: `mcpkit-${era}`, version: '1' },
        { era, elicit: () => ({ action: 'accept', content: { name: 'Ada' } }) },
      );
      await client.connect(new StreamableHttpClientTransport(balancer.url));
      for (let i = 0; i < 6; i++) {
        expect((await client.callTool('echo', { text: `${era} ${i}` })).content).toEqual([
          { type: 'text', text: `${era} ${i}` },
        ]);
        calls++;
      }
      for (let i = 0; i < 3; i++) {
        expect((await client.callTool('greet_user', {})).content).toEqual([
          { type: 'text', text: 'Hello, Ada!' },
        ]);
        calls += era === 'legacy' ? 1 : 2;
      }
      await client.close();
    }

    const after = await callsByNode();
    const served = after.map((n, i) => n - before[i]!);
    // Every tools/call was answered (no error above) and counted by exactly one node; all three served.
    expect(served.reduce((a, b) => a + b)).toBe(calls);
    for (const count of served) expect(count).toBeGreaterThan(0);
  }, 60_000);

  it('SIGKILL of the node holding a GET stream: it resumes on another with every event once; the task, the progress call and a re-opened listen stream carry on', async () => {
    const N = 40;
    const byNode = () => Promise.all(nodes.map((n) => n.counts()));
    const nodeWhere = async (gauge: 'gets' | 'inFlight' | 'listening', before: NodeCounts[]) => {
      let index = -1;
      for (let i = 0; i < 100 && index < 0; i++) {
        const now = await byNode();
        index = now.findIndex((c, j) => c[gauge] > before[j]![gauge]);
        if (index < 0) await new Promise((r) => setTimeout(r, 20));
      }
      if (index < 0) throw new Error(`no node shows one more ${gauge}`);
      return index;
    };

    // A legacy session subscribed to note://0..N-1; its GET stream lands on node X, the one to kill.
    const updates: string[] = [];
    const start = await byNode();
    const legacy = new Client({ name: 'survivor', version: '1' }, { era: 'legacy' });
    legacy.on('resourceUpdated', (uri) => void updates.push(uri));
    await legacy.connect(new StreamableHttpClientTransport(balancer.url, { reconnectDelayMs: 100 }));
    await legacy.subscribe({ resourceUris: Array.from({ length: N }, (_, n) => `note://${n}`) });
    const x = await nodeWhere('gets', start);

    // A progress call of the same session running on another node (placed again if it landed on X).
    const progress: number[] = [];
    let counting: Promise<unknown> | undefined;
    for (let attempt = 0; attempt < 4 && !counting; attempt++) {
      const before = await byNode();
      const controller = new AbortController();
      const call = legacy.callTool(
        'count',
        { to: 30, delayMs: 100 },
        { signal: controller.signal, onProgress: (p) => void progress.push(p.progress) },
      );
      if ((await nodeWhere('inFlight', before)) === x) {
        controller.abort();
        await call.catch(() => {});
        progress.length = 0;
      } else counting = call;
    }
    expect(counting).toBeDefined();

    // Two tasks; round-robin puts them on two nodes, so at least one runs on a survivor.
    const tasks: string[] = [];
    for (let i = 0; i < 2; i++) {
      const created = await modernTaskRequest(balancer.url, 'tools/call', {
        name: 'job',
        arguments: { ms: 3000 },
      });
      tasks.push(created.result!.taskId as string);
    }
    const jobsOnX = (await nodes[x]!.counts()).jobs;
    expect(jobsOnX).toBeLessThan(2);

    // Listen streams (modern), opened until one is on X.
    const listeners: { client: Client; updates: string[]; closed: Promise<string> }[] = [];
    let onX: (typeof listeners)[number] | undefined;
    for (let attempt = 0; attempt < 6 && !onX; attempt++) {
      const before = await byNode();
      const client = new Client({ name: `listener-${attempt}`, version: '1' }, { era: 'modern' });
      const seen: string[] = [];
      client.on('resourceUpdated', (uri) => void seen.push(uri));
      await client.connect(new StreamableHttpClientTransport(balancer.url));
      const subscription = await client.subscribe({ resourceUris: ['note://live'] });
      const listener = { client, updates: seen, closed: subscription.closed };
      listeners.push(listener);
      if ((await nodeWhere('listening', before)) === x) onX = listener;
    }
    expect(onX).toBeDefined();

    // Announcements through the balancer, before, during and after the kill.
    const driver = new Client({ name: 'driver', version: '1' }, { era: 'modern' });
    await driver.connect(new StreamableHttpClientTransport(balancer.url));
    for (let n = 0; n < N; n++) {
      if (n === 10) nodes[x]!.child.kill('SIGKILL');
      await driver.callTool('announce', { n });
      await new Promise((resolve) => setTimeout(resolve, 40));
    }

    // Every announcement reached the session exactly once, through the stream resumed elsewhere.
    const expected = Array.from({ length: N }, (_, n) => `note://${n}`);
    await until(() => expected.every((uri) => updates.includes(uri)), 'every resources/updated', 15_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a late duplicate would show by now
    const counted = new Map<string, number>();
    for (const uri of updates) counted.set(uri, (counted.get(uri) ?? 0) + 1);
    expect([...counted.entries()].filter(([, c]) => c !== 1)).toEqual([]); // 0 duplicated
    expect(counted.size).toBe(N); // 0 lost

    // The progress call (on a survivor) finished with every step once.
    expect(((await counting) as { content: unknown }).content).toEqual([
      { type: 'text', text: 'counted to 30' },
    ]);
    expect(progress).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));

    // Tasks on survivors completed and are read through the balancer (whichever survivor answers);
    // a task that ran on X is reported failed once its lease (1 s here) ran out.
    const finished: string[] = [];
    const lost: string[] = [];
    for (const taskId of tasks) {
      let task: Record<string, unknown> | undefined;
      for (let i = 0; i < 100; i++) {
        task = (await modernTaskRequest(balancer.url, 'tasks/get', { taskId })).result;
        if (task?.status === 'completed' || task?.status === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (task?.status === 'completed')
        finished.push((task.result as { content: { text: string }[] }).content[0]!.text);
      if (task?.status === 'failed') lost.push(String(task.statusMessage));
    }
    expect(finished.length).toBe(2 - jobsOnX);
    for (const text of finished) expect(text).not.toBe(`job ran on ${nodes[x]!.name}`);
    expect(lost).toEqual(
      Array.from({ length: jobsOnX }, () => 'The server running this task stopped before it finished'),
    );

    // The listen stream on X ended; opened again, it lands on a survivor and gets the next update.
    expect(await onX!.closed).toBe('remote');
    await onX!.client.subscribe({ resourceUris: ['note://live'] });
    onX!.updates.length = 0;
    await driver.callTool('announce', { n: 'live' });
    await until(
      () => onX!.updates.includes('note://live'),
      'resources/updated on the re-opened listen stream',
    );

    for (const l of listeners) await l.client.close();
    await driver.close();
    // The session's GET stream is open again on one survivor, resumed there with Last-Event-ID.
    const survivors = await Promise.all(nodes.filter((_, i) => i !== x).map((n) => n.counts()));
    const opened = survivors.map((c) => c.gets - start[nodes.findIndex((n) => n.name === c.name)]!.gets);
    expect(opened.sort()).toEqual([0, 1]);
    expect(survivors.reduce((sum, c) => sum + c.resumed, 0)).toBeGreaterThanOrEqual(1);
    await legacy.close();
  }, 60_000);
});

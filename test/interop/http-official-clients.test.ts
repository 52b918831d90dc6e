import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ElicitRequestSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/demo.js';
import { httpServer } from '../helpers/http.js';

let server: Awaited<ReturnType<typeof httpServer>>;
beforeAll(async () => {
  server = await httpServer();
});
afterAll(async () => {
  await server?.close();
});

describe('official SDK v1 client -> mcpkit over Streamable HTTP (legacy session)', () => {
  let client: V1Client;
  const updated: string[] = [];
  let toolChanges = 0;

  beforeAll(async () => {
    client = new V1Client({ name: 'v1-http', version: '1' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async () => ({
      action: 'accept',
      content: { name: 'Ada' },
    }));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void toolChanges++);
    await client.connect(new V1Transport(new URL(server.url)));
  });
  afterAll(async () => {
    await client?.close();
  });

  it('opens a session and calls tools', async () => {
    expect(client.getServerVersion()?.name).toBe('mcpkit-demo');
    expect((await client.callTool({ name: 'echo', arguments: { text: 'over http' } })).content).toEqual([
      { type: 'text', text: 'over http' },
    ]);
    expect((await client.callTool({ name: 'add', arguments: { a: 2, b: 2 } })).structuredContent).toEqual({
      sum: 4,
    });
  });

  it('elicits with a server-to-client request on the POST stream', async () => {
    expect((await client.callTool({ name: 'greet_user', arguments: {} })).content).toEqual([
      { type: 'text', text: 'Hello, Ada!' },
    ]);
  });

  it('streams progress before the result', async () => {
    const seen: number[] = [];
    await client.callTool({ name: 'count', arguments: { to: 3, delayMs: 10 } }, undefined, {
      onprogress: (p) => void seen.push(p.progress),
    });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('delivers resource updates and list changes on the GET stream', async () => {
    await client.subscribeResource({ uri: 'demo://counter' });
    await client.callTool({ name: 'increment', arguments: {} });
    await until(() => updated.includes('demo://counter'), 'a resource update');
    await client.callTool({ name: 'toggle_bonus', arguments: {} });
    await until(() => toolChanges > 0, 'tools/list_changed');
  });

  it('cancels a request when the caller aborts', async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 'count', arguments: { to: 100, delayMs: 50 } }, undefined, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(call).rejects.toThrow();
    expect((await client.callTool({ name: 'echo', arguments: { text: 'still' } })).content).toEqual([
      { type: 'text', text: 'still' },
    ]);
  });
});

describe.each([
  ['modern (pinned)', { pin: '2026-07-28' }, 'modern'],
  ['auto', 'auto', 'modern'],
  ['legacy', 'legacy', 'legacy'],
] as const)('official SDK v2 client -> mcpkit over Streamable HTTP (%s)', (_name, mode, era) => {
  let client: V2Client;
  beforeAll(async () => {
    client = new V2Client(
      { name: 'v2-http', version: '1' },
      { capabilities: { elicitation: {}, sampling: {} }, versionNegotiation: { mode } },
    );
    client.setRequestHandler('elicitation/create', async () => ({
      action: 'accept',
      content: { name: 'Grace' },
    }));
    client.setRequestHandler('sampling/createMessage', async () => ({
      role: 'assistant',
      model: 'm',
      content: { type: 'text', text: 'short' },
    }));
    await client.connect(new V2Transport(new URL(server.url)));
  });
  afterAll(async () => {
    await client?.close();
  });

  it(`speaks the ${era} era`, () => {
    expect(client.getProtocolEra()).toBe(era);
  });

  it('calls tools, elicits and samples', async () => {
    expect((await client.callTool({ name: 'echo', arguments: { text: 'v2' } })).content).toEqual([
      { type: 'text', text: 'v2' },
    ]);
    expect((await client.callTool({ name: 'greet_user', arguments: {} })).content).toEqual([
      { type: 'text', text: 'Hello, Grace!' },
    ]);
    expect((await client.callTool({ name: 'summarize', arguments: { text: 'abc' } })).content).toEqual([
      { type: 'text', text: 'short' },
    ]);
  });

  it('streams progress before the result (SSE upgrade)', async () => {
    const seen: number[] = [];
    await client.callTool(
      { name: 'count', arguments: { to: 3, delayMs: 10 } },
      { onprogress: (p) => void seen.push(p.progress) },
    );
    expect(seen).toEqual([1, 2, 3]);
  });

  it('reads resources and gets prompts', async () => {
    expect((await client.readResource({ uri: 'demo://users/ada' })).contents[0]).toMatchObject({
      uri: 'demo://users/ada',
    });
    expect((await client.getPrompt({ name: 'greeting', arguments: { name: 'Ken' } })).messages).toHaveLength(
      1,
    );
  });

  // Only the modern era has listen streams; the legacy GET stream is covered with the v1 client.
  if (era === 'modern') {
    it('delivers list changes on a subscriptions/listen stream', async () => {
      let changes = 0;
      client.setNotificationHandler('notifications/tools/list_changed', () => void changes++);
      const subscription = await client.listen({ toolsListChanged: true });
      await client.callTool({ name: 'toggle_bonus', arguments: {} });
      await until(() => changes > 0, 'tools/list_changed on the listen stream');
      await subscription.close();
    });
  }
});

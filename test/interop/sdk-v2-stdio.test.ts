import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPages, demoCommand, until } from '../helpers/demo.js';

type Mode = 'auto' | { pin: string };

function makeClient(mode: Mode) {
  const client = new Client(
    { name: 'v2-interop', version: '2.0.0' },
    { capabilities: { sampling: {}, elicitation: {}, roots: {} }, versionNegotiation: { mode } },
  );
  client.setRequestHandler('elicitation/create', async () => ({
    action: 'accept',
    content: { name: 'Grace' },
  }));
  client.setRequestHandler('sampling/createMessage', async () => ({
    role: 'assistant',
    model: 'test-model',
    content: { type: 'text', text: 'a short summary' },
  }));
  client.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///repo', name: 'repo' }] }));
  return client;
}

async function allTools(client: Client): Promise<string[]> {
  const { items } = await collectPages<{ name: string }>((p) => client.listTools(p), 'tools');
  return items.map((t) => t.name);
}

/** The official v2 client in the modern era (2026-07-28): per-request _meta, MRTR, subscriptions/listen. */
describe('official SDK v2 client (modern era) -> mcpkit server over stdio', () => {
  let client: Client;
  const updated: string[] = [];
  let toolListChanges = 0;

  beforeAll(async () => {
    client = makeClient({ pin: '2026-07-28' });
    client.setNotificationHandler('notifications/resources/updated', (n) => void updated.push(n.params.uri));
    client.setNotificationHandler('notifications/tools/list_changed', () => void toolListChanges++);
    const { command, args } = demoCommand('--page-size', '3');
    await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
  });

  afterAll(async () => {
    await client?.close();
  });

  it('discovers a modern server', () => {
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(client.getServerVersion()).toMatchObject({ name: 'mcpkit-demo' });
    expect(client.getInstructions()).toContain('demo server');
  });

  it('pages through tools/list', async () => {
    expect(await allTools(client)).toEqual([
      'echo',
      'add',
      'count',
      'slow_job',
      'greet_user',
      'summarize',
      'list_roots',
      'increment',
      'toggle_bonus',
    ]);
  });

  it('calls echo', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hello modern' } });
    expect(result.content).toEqual([{ type: 'text', text: 'hello modern' }]);
  });

  it('returns validated structured output', async () => {
    await client.listTools();
    const result = await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    expect(result.structuredContent).toEqual({ sum: 3 });
  });

  it('runs elicitation through MRTR and the same client callback', async () => {
    const result = await client.callTool({ name: 'greet_user', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'Hello, Grace!' }]);
  });

  it('runs sampling and roots through MRTR', async () => {
    const summary = await client.callTool({ name: 'summarize', arguments: { text: 'long text' } });
    expect(summary.content).toEqual([{ type: 'text', text: 'a short summary' }]);
    const roots = await client.callTool({ name: 'list_roots', arguments: {} });
    expect(roots.content).toEqual([{ type: 'text', text: 'file:///repo' }]);
  });

  it('reports progress', async () => {
    const seen: number[] = [];
    await client.callTool(
      { name: 'count', arguments: { to: 3, delayMs: 20 } },
      { onprogress: (p) => void seen.push(p.progress) },
    );
    // The v2 client dispatches notifications after responses that share a read with them, so the
    // last report (written just before the result) can reach it too late; the earlier ones cannot.
    expect(seen.slice(0, 2)).toEqual([1, 2]);
    expect(seen.length).toBeLessThanOrEqual(3);
  });

  it('sends logs only to requests that ask for them with a _meta log level', async () => {
    const logs: unknown[] = [];
    client.setNotificationHandler('notifications/message', (n) => void logs.push(n.params));
    await client.callTool({ name: 'count', arguments: { to: 1, delayMs: 0 } });
    await client.callTool({
      name: 'count',
      arguments: { to: 2, delayMs: 20 },
      _meta: { 'io.modelcontextprotocol/logLevel': 'info' },
    });
    await until(() => logs.length > 0, 'a log notification');
    expect(logs).toEqual([{ level: 'info', logger: 'count', data: { counted: 2 } }]);
  });

  it('cancels on abort and keeps serving', async () => {
    const controller = new AbortController();
    const call = client.callTool(
      { name: 'count', arguments: { to: 1000, delayMs: 50 } },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 100);
    await expect(call).rejects.toThrow();
    expect((await client.callTool({ name: 'echo', arguments: { text: 'ok' } })).content).toEqual([
      { type: 'text', text: 'ok' },
    ]);
  });

  it('reads resources and templates, completes, and answers a missing resource with -32602', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain('demo://readme');
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates[0]).toMatchObject({ uriTemplate: 'demo://users/{id}' });
    const user = await client.readResource({ uri: 'demo://users/ada' });
    expect(user.contents[0]).toMatchObject({ uri: 'demo://users/ada', mimeType: 'application/json' });
    const completion = await client.complete({
      ref: { type: 'ref/resource', uri: 'demo://users/{id}' },
      argument: { name: 'id', value: 'g' },
    });
    expect(completion.completion.values).toEqual(['grace']);
    await expect(client.readResource({ uri: 'demo://missing' })).rejects.toMatchObject({ code: -32602 });
  });

  it('gets prompts with arguments', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts[0]).toMatchObject({ name: 'greeting' });
    const prompt = await client.getPrompt({ name: 'greeting', arguments: { name: 'Ken' } });
    expect(prompt.messages[0]).toEqual({ role: 'user', content: { type: 'text', text: 'Say hi to Ken!' } });
  });

  it('delivers resource updates and list changes on a subscriptions/listen stream', async () => {
    const subscription = await client.listen({
      toolsListChanged: true,
      resourceSubscriptions: ['demo://counter'],
    });
    expect(subscription.honoredFilter).toEqual({
      toolsListChanged: true,
      resourceSubscriptions: ['demo://counter'],
    });
    await client.callTool({ name: 'increment', arguments: {} });
    await until(() => updated.includes('demo://counter'), 'a resource update on the listen stream');
    const before = toolListChanges;
    await client.callTool({ name: 'toggle_bonus', arguments: {} });
    await until(() => toolListChanges > before, 'tools/list_changed on the listen stream');
    await subscription.close();
    await expect(subscription.closed).resolves.toBe('local');
  });
});

describe('official SDK v2 client (auto negotiation) -> mcpkit server over stdio', () => {
  it('probes with server/discover and stays modern', async () => {
    const client = makeClient('auto');
    const { command, args } = demoCommand();
    await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
    try {
      expect(client.getProtocolEra()).toBe('modern');
      const result = await client.callTool({ name: 'greet_user', arguments: {} });
      expect(result.content).toEqual([{ type: 'text', text: 'Hello, Grace!' }]);
    } finally {
      await client.close();
    }
  });

  it('speaks the legacy era with the default negotiation, elicitation included', async () => {
    const client = new Client({ name: 'v2-legacy', version: '2.0.0' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler('elicitation/create', async () => ({
      action: 'accept',
      content: { name: 'Linus' },
    }));
    const { command, args } = demoCommand();
    await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
    try {
      expect(client.getProtocolEra()).toBe('legacy');
      expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25');
      const result = await client.callTool({ name: 'greet_user', arguments: {} });
      expect(result.content).toEqual([{ type: 'text', text: 'Hello, Linus!' }]);
    } finally {
      await client.close();
    }
  });
});

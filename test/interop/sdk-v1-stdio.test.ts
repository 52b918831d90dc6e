import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  McpError,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPages, demoCommand, until } from '../helpers/demo.js';

/** The official v1 client (legacy era, 2025-11-25) drives mcpkit's demo server over stdio. */
describe('official SDK v1 client -> mcpkit server over stdio', () => {
  let client: Client;
  const logs: unknown[] = [];
  const updated: string[] = [];
  let toolListChanges = 0;

  beforeAll(async () => {
    client = new Client(
      { name: 'v1-interop', version: '1.0.0' },
      { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
    );
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      expect(req.params.message).toBe('What is your name?');
      return { action: 'accept', content: { name: 'Ada' } };
    });
    client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
      const first = req.params.messages[0]!.content as { type: string; text: string };
      return {
        role: 'assistant',
        model: 'test-model',
        content: { type: 'text', text: `summary of ${first.text.length} chars` },
      };
    });
    client.setRequestHandler(ListRootsRequestSchema, async () => ({
      roots: [{ uri: 'file:///work', name: 'work' }],
    }));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void toolListChanges++);
    const { command, args } = demoCommand('--page-size', '4');
    await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
  });

  afterAll(async () => {
    await client?.close();
  });

  it('negotiates the newest legacy revision and reports identity, capabilities and instructions', () => {
    expect(client.getServerVersion()).toMatchObject({
      name: 'mcpkit-demo',
      version: '0.1.0',
      title: 'mcpkit demo',
    });
    expect(client.getServerCapabilities()).toMatchObject({
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
      completions: {},
      logging: {},
    });
    expect(client.getInstructions()).toContain('demo server');
  });

  it('answers ping', async () => {
    await expect(client.ping()).resolves.toEqual({});
  });

  it('pages through tools/list with cursors, in registration order', async () => {
    const { items, pages } = await collectPages<{ name: string }>((p) => client.listTools(p), 'tools');
    expect(pages).toBe(3);
    expect(items.map((t) => t.name)).toEqual([
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

  it('rejects a forged cursor with -32602', async () => {
    await expect(client.listTools({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: -32602 });
  });

  it('calls echo and returns the same text', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hello from v1' } });
    expect(result.content).toEqual([{ type: 'text', text: 'hello from v1' }]);
  });

  it('returns structured output that the client validates against the outputSchema', async () => {
    const { tools } = await client.listTools();
    expect(tools.find((t) => t.name === 'add')?.outputSchema).toMatchObject({
      type: 'object',
      properties: { sum: { type: 'number' } },
    });
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
    expect(result.structuredContent).toEqual({ sum: 42 });
  });

  it('reports invalid arguments as a tool error result (SEP-1303)', async () => {
    const result = await client.callTool({ name: 'echo', arguments: { text: 42 } });
    expect(result.isError).toBe(true);
    expect((result.content as { text: string }[])[0]!.text).toMatch(/Invalid arguments for tool echo/);
  });

  it('answers an unknown tool with -32602', async () => {
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });

  it('sends progress notifications to the caller', async () => {
    const seen: number[] = [];
    const result = await client.callTool({ name: 'count', arguments: { to: 3, delayMs: 20 } }, undefined, {
      onprogress: (p) => void seen.push(p.progress),
    });
    // The official clients handle a response before notifications read in the same chunk, so the
    // last report (written just before the result) can arrive too late for them; earlier ones cannot.
    expect(seen.slice(0, 2)).toEqual([1, 2]);
    expect(seen.length).toBeLessThanOrEqual(3);
    expect(result.content).toEqual([{ type: 'text', text: 'counted to 3' }]);
  });

  it('cancels a running tool when the caller aborts, and keeps serving', async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 'count', arguments: { to: 1000, delayMs: 50 } }, undefined, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort('changed my mind'), 100);
    await expect(call).rejects.toThrow();
    const after = await client.callTool({ name: 'echo', arguments: { text: 'still here' } });
    expect(after.content).toEqual([{ type: 'text', text: 'still here' }]);
  });

  it('elicits through the client callback', async () => {
    const result = await client.callTool({ name: 'greet_user', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }]);
  });

  it('samples through the client callback', async () => {
    const result = await client.callTool({ name: 'summarize', arguments: { text: 'abcdef' } });
    expect((result.content as { text: string }[])[0]!.text).toMatch(/^summary of \d+ chars$/);
  });

  it('lists roots through the client callback', async () => {
    const result = await client.callTool({ name: 'list_roots', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'file:///work' }]);
  });

  it('filters log notifications by logging/setLevel', async () => {
    await client.setLoggingLevel('warning');
    logs.length = 0; // earlier tests logged at the default level (everything)
    await client.callTool({ name: 'count', arguments: { to: 1, delayMs: 0 } });
    await client.ping();
    expect(logs).toEqual([]);
    await client.setLoggingLevel('info');
    await client.callTool({ name: 'count', arguments: { to: 2, delayMs: 0 } });
    await until(() => logs.length === 1, 'a log notification');
    expect(logs[0]).toMatchObject({ level: 'info', logger: 'count', data: { counted: 2 } });
  });

  it('lists resources (static and from templates) and templates, and reads text and blobs', async () => {
    const { items } = await collectPages<{ uri: string }>((p) => client.listResources(p), 'resources');
    const all = items.map((r) => r.uri);
    expect(all).toContain('demo://readme');
    expect(all).toContain('demo://users/grace');
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates).toEqual([
      expect.objectContaining({ uriTemplate: 'demo://users/{id}', name: 'user' }),
    ]);
    const readme = await client.readResource({ uri: 'demo://readme' });
    expect(readme.contents[0]).toMatchObject({ uri: 'demo://readme', mimeType: 'text/markdown' });
    const pixel = await client.readResource({ uri: 'demo://pixel.png' });
    expect(pixel.contents[0]).toMatchObject({ mimeType: 'image/png', blob: expect.any(String) });
    const user = await client.readResource({ uri: 'demo://users/grace' });
    expect(JSON.parse((user.contents[0] as { text: string }).text)).toEqual({ id: 'grace', name: 'grace' });
  });

  it('answers a missing resource with -32002 on a legacy session', async () => {
    const error = await client.readResource({ uri: 'demo://missing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32002);
  });

  it('completes template variables and prompt arguments', async () => {
    const forTemplate = await client.complete({
      ref: { type: 'ref/resource', uri: 'demo://users/{id}' },
      argument: { name: 'id', value: 'a' },
    });
    expect(forTemplate.completion.values).toEqual(['ada', 'alan']);
    const forPrompt = await client.complete({
      ref: { type: 'ref/prompt', name: 'greeting' },
      argument: { name: 'style', value: 'f' },
    });
    expect(forPrompt.completion.values).toEqual(['formal']);
  });

  it('lists prompts and gets one with arguments; a missing required argument is -32602', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['greeting']);
    const prompt = await client.getPrompt({ name: 'greeting', arguments: { name: 'Ada', style: 'formal' } });
    expect(prompt.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Please greet Ada formally.' } },
    ]);
    await expect(client.getPrompt({ name: 'greeting', arguments: {} })).rejects.toMatchObject({
      code: -32602,
    });
  });

  it('notifies resource subscribers until they unsubscribe', async () => {
    await client.subscribeResource({ uri: 'demo://counter' });
    await client.callTool({ name: 'increment', arguments: {} });
    await until(() => updated.length === 1, 'a resource update');
    expect(updated).toEqual(['demo://counter']);
    await client.unsubscribeResource({ uri: 'demo://counter' });
    await client.callTool({ name: 'increment', arguments: {} });
    await client.ping();
    expect(updated).toEqual(['demo://counter']);
  });

  it('sends tools/list_changed when the tool list changes', async () => {
    const before = toolListChanges;
    await client.callTool({ name: 'toggle_bonus', arguments: {} });
    await until(() => toolListChanges === before + 1, 'tools/list_changed');
    const { items } = await collectPages<{ name: string }>((p) => client.listTools(p), 'tools');
    expect(items.map((t) => t.name)).toContain('bonus');
    expect((await client.callTool({ name: 'bonus', arguments: {} })).content).toEqual([
      { type: 'text', text: 'bonus!' },
    ]);
  });
});

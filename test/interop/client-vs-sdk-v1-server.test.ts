import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/index.js';
import { McpError } from '../../src/protocol/index.js';
import { StdioClientTransport } from '../../src/transports/index.js';
import { fixtureCommand, until } from '../helpers/demo.js';

/** mcpkit's client drives a server built on the official SDK v1 (legacy era) over stdio. */
describe('mcpkit client -> official SDK v1 McpServer over stdio', () => {
  let client: Client;
  const logs: unknown[] = [];
  const updated: string[] = [];
  let toolChanges = 0;

  beforeAll(async () => {
    client = new Client(
      { name: 'mcpkit-interop', version: '1.0.0' },
      {
        elicit: async (params) => {
          expect(params.message).toBe('Your name?');
          return { action: 'accept', content: { name: 'Ada' } };
        },
        sample: async () => ({
          role: 'assistant',
          model: 'fake-model',
          content: { type: 'text', text: 'sampled' },
        }),
        roots: [{ uri: 'file:///project', name: 'project' }],
      },
    );
    client.on('log', (entry) => void logs.push(entry));
    client.on('resourceUpdated', (uri) => void updated.push(uri));
    client.on('toolsChanged', () => void toolChanges++);
    const { command, args } = fixtureCommand('sdk-v1-server.mjs');
    await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
  });

  afterAll(async () => {
    await client?.close();
  });

  it('probes, falls back to initialize, and pins the legacy era', () => {
    expect(client.era).toBe('legacy');
    expect(client.protocolVersion).toBe('2025-11-25');
    expect(client.serverInfo).toMatchObject({ name: 'sdk-v1-fixture' });
    expect(client.instructions).toBe('v1 fixture');
    expect(client.serverCapabilities).toMatchObject({
      tools: {},
      resources: { subscribe: true },
      logging: {},
    });
  });

  it('pings', async () => {
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it('lists and calls tools, validating structured output', async () => {
    const names = (await client.allTools()).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'add', 'progress', 'ask', 'sample', 'roots']));
    expect((await client.callTool('echo', { text: 'hi v1' })).content).toEqual([
      { type: 'text', text: 'hi v1' },
    ]);
    expect((await client.callTool('add', { a: 20, b: 22 })).structuredContent).toEqual({ sum: 42 });
  });

  it('pages through resources/list with an async iterator', async () => {
    const uris: string[] = [];
    for await (const resource of client.resources()) uris.push(resource.uri);
    expect(uris).toEqual(Array.from({ length: 7 }, (_, i) => `fixture://items/n${i}`));
    const first = await client.listResources();
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).toBe('3');
  });

  it('reads templates and resources, and completes template variables', async () => {
    expect((await client.allResourceTemplates())[0]).toMatchObject({ uriTemplate: 'fixture://items/{id}' });
    expect((await client.readResource('fixture://items/banana')).contents).toEqual([
      { uri: 'fixture://items/banana', text: 'item banana' },
    ]);
    const completion = await client.complete(
      { type: 'ref/resource', uri: 'fixture://items/{id}' },
      { name: 'id', value: 'ap' },
    );
    expect(completion.values).toEqual(['apple', 'apricot']);
  });

  it('lists and gets prompts, and completes prompt arguments', async () => {
    expect((await client.allPrompts()).map((p) => p.name)).toEqual(['greet']);
    const prompt = await client.getPrompt('greet', { name: 'Ada', mood: 'cheerful' });
    expect(prompt.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Hello Ada (cheerful)' } },
    ]);
    expect(
      (await client.complete({ type: 'ref/prompt', name: 'greet' }, { name: 'name', value: 'Al' })).values,
    ).toEqual(['Alan']);
  });

  it('answers elicitation from its callback and fills the schema defaults left out (SEP-1034)', async () => {
    expect((await client.callTool('ask')).content).toEqual([{ type: 'text', text: 'accept:Ada:en' }]);
  });

  it('answers sampling and roots from its callbacks', async () => {
    expect((await client.callTool('sample')).content).toEqual([{ type: 'text', text: 'fake-model:sampled' }]);
    expect((await client.callTool('roots')).content).toEqual([{ type: 'text', text: 'file:///project' }]);
  });

  it('reports progress in order', async () => {
    const seen: number[] = [];
    await client.callTool('progress', { steps: 3 }, { onProgress: (p) => void seen.push(p.progress) });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('cancels with an AbortSignal: the server handler sees the cancellation', async () => {
    const controller = new AbortController();
    const call = client.callTool('hang', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user gave up')), 50);
    await expect(call).rejects.toThrow('user gave up');
    await expect
      .poll(async () => (await client.callTool('cancelled_count')).content)
      .toEqual([{ type: 'text', text: '1' }]);
  });

  it('times out a request with a clear error', async () => {
    await expect(client.callTool('hang', {}, { timeoutMs: 50 })).rejects.toMatchObject({
      code: -32001,
      message: expect.stringMatching(/timed out/),
    });
  });

  it('sets the log level and receives log events', async () => {
    await client.setLoggingLevel('error');
    logs.length = 0;
    await client.callTool('log');
    await until(() => logs.length > 0, 'a log event');
    await client.ping();
    expect(logs).toEqual([{ level: 'error', logger: 'fixture', data: 'error line' }]);
  });

  it('subscribes to a resource and sees its updates until it unsubscribes', async () => {
    const subscription = await client.subscribe({ tools: true, resourceUris: ['fixture://items/apple'] });
    expect(subscription.honored).toEqual({ tools: true, resourceUris: ['fixture://items/apple'] });
    await client.callTool('touch', { uri: 'fixture://items/apple' });
    await until(() => updated.length === 1, 'a resource update');
    await subscription.close();
    await client.callTool('touch', { uri: 'fixture://items/apple' });
    await client.ping();
    expect(updated).toEqual(['fixture://items/apple']);
  });

  it('sees list changes and refreshes its cached list', async () => {
    const before = (await client.allTools()).length;
    await client.callTool('grow');
    await until(() => toolChanges > 0, 'tools changed');
    expect((await client.allTools()).length).toBe(before + 1);
  });

  it('surfaces server errors as McpError with the code', async () => {
    const error = await client.getPrompt('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32602);
  });
});

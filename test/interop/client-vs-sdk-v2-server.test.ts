import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/index.js';
import { StdioClientTransport } from '../../src/transports/index.js';
import { fixtureCommand, until } from '../helpers/demo.js';

/** mcpkit's client drives a server built on the official SDK v2, in each era it serves. */
describe.each([
  ['modern', 'auto', '2026-07-28'],
  ['legacy', 'legacy', '2025-11-25'],
] as const)('mcpkit client -> official SDK v2 server over stdio (%s era)', (era, choice, revision) => {
  let client: Client;
  const logs: unknown[] = [];
  let toolChanges = 0;

  beforeAll(async () => {
    client = new Client(
      { name: 'mcpkit-interop', version: '1.0.0' },
      {
        era: choice,
        elicit: async () => ({ action: 'accept', content: { name: 'Grace' } }),
        sample: async () => ({
          role: 'assistant',
          model: 'fake-model',
          content: { type: 'text', text: 'sampled' },
        }),
        roots: async () => [{ uri: 'file:///repo' }],
      },
    );
    client.on('log', (entry) => void logs.push(entry));
    client.on('toolsChanged', () => void toolChanges++);
    const { command, args } = fixtureCommand('sdk-v2-server.mjs');
    await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
  });

  afterAll(async () => {
    await client?.close();
  });

  it(`negotiates the ${era} era`, () => {
    expect(client.era).toBe(era);
    expect(client.protocolVersion).toBe(revision);
    expect(client.serverInfo).toMatchObject({ name: 'sdk-v2-fixture' });
    expect(client.instructions).toBe('v2 fixture');
  });

  it('pings', async () => {
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it('lists and calls tools with validated structured output', async () => {
    expect((await client.allTools()).map((t) => t.name)).toEqual(
      expect.arrayContaining(['echo', 'add', 'ask', 'sample_and_roots']),
    );
    expect((await client.callTool('echo', { text: `hi ${era}` })).content).toEqual([
      { type: 'text', text: `hi ${era}` },
    ]);
    expect((await client.callTool('add', { a: 1, b: 2 })).structuredContent).toEqual({ sum: 3 });
  });

  it('fulfils elicitation through its callback (MRTR on modern, a server request on legacy), with defaults filled', async () => {
    expect((await client.callTool('ask')).content).toEqual([{ type: 'text', text: 'accept:Grace:en' }]);
  });

  it('fulfils several input requests of one round (sampling and roots)', async () => {
    expect((await client.callTool('sample_and_roots')).content).toEqual([
      { type: 'text', text: 'fake-model|file:///repo' },
    ]);
  });

  it('reads resources and gets prompts', async () => {
    expect((await client.allResources()).map((r) => r.uri)).toEqual(['fixture://doc']);
    expect((await client.readResource('fixture://doc')).contents).toEqual([
      { uri: 'fixture://doc', text: 'the doc' },
    ]);
    expect((await client.getPrompt('greet', { name: 'Ken' })).messages[0]).toEqual({
      role: 'user',
      content: { type: 'text', text: 'Hello Ken' },
    });
  });

  it('reports progress', async () => {
    const seen: number[] = [];
    await client.callTool('progress', { steps: 3 }, { onProgress: (p) => void seen.push(p.progress) });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('cancels with an AbortSignal and keeps working', async () => {
    const controller = new AbortController();
    const call = client.callTool('hang', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(call).rejects.toThrow('stop');
    expect((await client.callTool('echo', { text: 'after' })).content).toEqual([
      { type: 'text', text: 'after' },
    ]);
  });

  it('receives logs at the level it set', async () => {
    await client.setLoggingLevel('error');
    logs.length = 0;
    await client.callTool('log');
    await until(() => logs.length > 0, 'a log event');
    await client.ping();
    expect(logs).toEqual([{ level: 'error', logger: 'fixture', data: 'error line' }]);
  });

  it('gets list changes through one subscription API', async () => {
    const subscription = await client.subscribe({ tools: true });
    expect(subscription.honored).toEqual({ tools: true });
    const before = (await client.allTools()).length;
    await client.callTool('grow');
    await until(() => toolChanges > 0, 'tools changed');
    expect((await client.allTools()).length).toBe(before + 1);
    await subscription.close();
    await expect(subscription.closed).resolves.toBe('local');
  });
});

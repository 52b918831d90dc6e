import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, type ClientOptions } from '../../src/client/index.js';
import { StreamableHttpClientTransport } from '../../src/transports/index.js';
import { fixtureHttp, until } from '../helpers/demo.js';
import { httpServer } from '../helpers/http.js';

const callbacks: ClientOptions = {
  elicit: async () => ({ action: 'accept', content: { name: 'Zed' } }),
  sample: async () => ({ role: 'assistant', model: 'fake', content: { type: 'text', text: 'sampled' } }),
  roots: [{ uri: 'file:///r' }],
};

async function connect(url: string, options: ClientOptions = {}) {
  const client = new Client({ name: 'mcpkit-http', version: '1' }, { ...callbacks, ...options });
  await client.connect(new StreamableHttpClientTransport(url));
  return client;
}

describe('mcpkit client -> official SDK v1 server over Streamable HTTP (legacy sessions)', () => {
  let fixture: Awaited<ReturnType<typeof fixtureHttp>>;
  let client: Client;
  const updated: string[] = [];
  beforeAll(async () => {
    fixture = await fixtureHttp('sdk-v1-server.mjs');
    client = await connect(fixture.url);
    client.on('resourceUpdated', (uri) => void updated.push(uri));
  });
  afterAll(async () => {
    await client?.close();
    fixture?.stop();
  });

  it('falls back from the modern probe to a legacy session', () => {
    expect([client.era, client.protocolVersion]).toEqual(['legacy', '2025-11-25']);
  });

  // The v1 server refuses the probe with HTTP 400 and `"id": null` ("Server not initialized"):
  // that reply must fail the probe at once, not after the probe's or the request's timeout.
  it('takes an HTTP error with id null as the answer to the request it refuses', async () => {
    const patient = await connect(fixture.url, { probeTimeoutMs: 120_000, requestTimeoutMs: 120_000 });
    expect(patient.era).toBe('legacy');
    await patient.close();
    const modernOnly = new Client(
      { name: 'modern-only', version: '1' },
      { era: 'modern', requestTimeoutMs: 120_000 },
    );
    await expect(modernOnly.connect(new StreamableHttpClientTransport(fixture.url))).rejects.toThrow(
      /not initialized/i,
    );
  });

  it('calls tools with structured output, elicitation defaults, sampling and roots', async () => {
    expect((await client.callTool('add', { a: 1, b: 2 })).structuredContent).toEqual({ sum: 3 });
    expect((await client.callTool('ask')).content).toEqual([{ type: 'text', text: 'accept:Zed:en' }]);
    expect((await client.callTool('sample')).content).toEqual([{ type: 'text', text: 'fake:sampled' }]);
    expect((await client.callTool('roots')).content).toEqual([{ type: 'text', text: 'file:///r' }]);
  });

  it('pages resources and reports progress', async () => {
    const uris: string[] = [];
    for await (const r of client.resources()) uris.push(r.uri);
    expect(uris).toHaveLength(7);
    const seen: number[] = [];
    await client.callTool('progress', { steps: 3 }, { onProgress: (p) => void seen.push(p.progress) });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('receives resource updates on the GET stream', async () => {
    await client.subscribe({ resourceUris: ['fixture://items/apple'] });
    await client.callTool('touch', { uri: 'fixture://items/apple' });
    await until(() => updated.includes('fixture://items/apple'), 'a resource update on the GET stream');
  });

  it('cancels with an AbortSignal', async () => {
    const controller = new AbortController();
    const call = client.callTool('hang', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('enough')), 50);
    await expect(call).rejects.toThrow('enough');
    await expect
      .poll(async () => (await client.callTool('cancelled_count')).content)
      .toEqual([{ type: 'text', text: '1' }]);
  });
});

describe('mcpkit client -> official SDK v2 server over Streamable HTTP', () => {
  let fixture: Awaited<ReturnType<typeof fixtureHttp>>;
  beforeAll(async () => {
    fixture = await fixtureHttp('sdk-v2-server.mjs');
  });
  afterAll(() => fixture?.stop());

  it('modern: probes, stays modern, runs MRTR rounds and progress', async () => {
    const client = await connect(fixture.url);
    try {
      expect([client.era, client.protocolVersion]).toEqual(['modern', '2026-07-28']);
      expect((await client.callTool('ask')).content).toEqual([{ type: 'text', text: 'accept:Zed:en' }]);
      expect((await client.callTool('sample_and_roots')).content).toEqual([
        { type: 'text', text: 'fake|file:///r' },
      ]);
      const seen: number[] = [];
      await client.callTool('progress', { steps: 3 }, { onProgress: (p) => void seen.push(p.progress) });
      expect(seen).toEqual([1, 2, 3]);
    } finally {
      await client.close();
    }
  });

  it('legacy: served statelessly (the v2 default), plain calls work', async () => {
    const client = await connect(fixture.url, { era: 'legacy' });
    try {
      expect(client.era).toBe('legacy');
      expect((await client.callTool('echo', { text: 'hi' })).content).toEqual([{ type: 'text', text: 'hi' }]);
      expect((await client.getPrompt('greet', { name: 'Ann' })).messages[0]).toMatchObject({
        content: { text: 'Hello Ann' },
      });
    } finally {
      await client.close();
    }
  });
});

describe('mcpkit client -> mcpkit server over Streamable HTTP', () => {
  let server: Awaited<ReturnType<typeof httpServer>>;
  beforeAll(async () => {
    server = await httpServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(['auto', 'legacy'] as const)(
    'era %s: elicitation, listen/GET-stream notifications, cancellation',
    async (era) => {
      const client = await connect(server.url, { era });
      try {
        expect(client.era).toBe(era === 'auto' ? 'modern' : 'legacy');
        expect((await client.callTool('greet_user')).content).toEqual([
          { type: 'text', text: 'Hello, Zed!' },
        ]);
        let changes = 0;
        client.on('toolsChanged', () => void changes++);
        const subscription = await client.subscribe({ tools: true });
        await client.callTool('toggle_bonus');
        await until(() => changes > 0, 'tools changed');
        await subscription.close();
        const controller = new AbortController();
        const call = client.callTool('count', { to: 100, delayMs: 50 }, { signal: controller.signal });
        setTimeout(() => controller.abort(new Error('stop')), 50);
        await expect(call).rejects.toThrow('stop');
        expect((await client.callTool('echo', { text: 'after' })).content).toEqual([
          { type: 'text', text: 'after' },
        ]);
      } finally {
        await client.close();
      }
    },
  );

  it('opens a new legacy session when the server forgot the old one (404)', async () => {
    const client = await connect(server.url, { era: 'legacy' });
    try {
      await server.handler.close(); // every session is gone
      expect((await client.callTool('echo', { text: 'again' })).content).toEqual([
        { type: 'text', text: 'again' },
      ]);
      expect(server.handler.sessionCount).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('sends custom headers and uses a custom fetch', async () => {
    const seen: string[] = [];
    const client = new Client({ name: 'custom', version: '1' });
    const transport = new StreamableHttpClientTransport(server.url, {
      headers: () => ({ 'x-tenant': 'acme' }),
      fetch: (input, init) => {
        seen.push(new Headers(init?.headers).get('x-tenant') ?? 'none');
        return fetch(input, init);
      },
    });
    await client.connect(transport);
    await client.callTool('echo', { text: 'x' });
    await client.close();
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((v) => v === 'acme')).toBe(true);
  });

  it('ends its legacy session with DELETE on close', async () => {
    const client = await connect(server.url, { era: 'legacy' });
    const before = server.handler.sessionCount;
    await client.close();
    expect(server.handler.sessionCount).toBe(before - 1);
  });
});

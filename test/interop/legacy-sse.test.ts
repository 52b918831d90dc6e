import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHttp } from '../../src/adapters/index.js';
import { createDemoServer } from '../../src/cli/demo.js';
import { Client } from '../../src/client/index.js';
import {
  createLegacySseHandler,
  LegacySseClientTransport,
  StreamableHttpClientTransport,
} from '../../src/transports/index.js';
import { fixtureHttp } from '../helpers/demo.js';

describe('the 2024-11-05 HTTP+SSE transport', () => {
  describe('official v1 SSE client -> mcpkit server', () => {
    const demo = createDemoServer();
    const handler = createLegacySseHandler(demo);
    let http: Awaited<ReturnType<typeof serveHttp>>;
    let client: V1Client;
    beforeAll(async () => {
      http = await serveHttp(handler, { port: 0, path: '/sse', routes: { '/messages': handler } });
      client = new V1Client({ name: 'v1-sse', version: '1' }, { capabilities: { elicitation: {} } });
      client.setRequestHandler(ElicitRequestSchema, async () => ({
        action: 'accept',
        content: { name: 'Old' },
      }));
      await client.connect(new SSEClientTransport(new URL(http.url)));
    });
    afterAll(async () => {
      await client?.close();
      await handler.close();
      await http?.close();
    });

    it('initializes and calls tools, with progress and elicitation over the event stream', async () => {
      expect(client.getServerVersion()?.name).toBe('mcpkit-demo');
      expect((await client.callTool({ name: 'echo', arguments: { text: 'sse' } })).content).toEqual([
        { type: 'text', text: 'sse' },
      ]);
      expect((await client.callTool({ name: 'greet_user', arguments: {} })).content).toEqual([
        { type: 'text', text: 'Hello, Old!' },
      ]);
      const seen: number[] = [];
      await client.callTool({ name: 'count', arguments: { to: 2, delayMs: 5 } }, undefined, {
        onprogress: (p) => void seen.push(p.progress),
      });
      expect(seen.slice(0, 1)).toEqual([1]);
    });

    it('refuses a POST for an unknown session with 404', async () => {
      const r = await fetch(new URL('/messages?sessionId=nope', http.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      });
      expect(r.status).toBe(404);
    });
  });

  describe('mcpkit client -> official v1 SSE server', () => {
    let fixture: Awaited<ReturnType<typeof fixtureHttp>>;
    beforeAll(async () => {
      fixture = await fixtureHttp('sdk-v1-server.mjs', '--sse');
    });
    afterAll(() => fixture?.stop());

    it('falls back from Streamable HTTP to HTTP+SSE, then to initialize', async () => {
      const client = new Client(
        { name: 'fallback', version: '1' },
        { elicit: async () => ({ action: 'accept', content: { name: 'Sse' } }) },
      );
      await client.connect(new StreamableHttpClientTransport(fixture.url));
      try {
        expect(client.era).toBe('legacy');
        expect((await client.callTool('echo', { text: 'via sse' })).content).toEqual([
          { type: 'text', text: 'via sse' },
        ]);
        expect((await client.callTool('ask')).content).toEqual([{ type: 'text', text: 'accept:Sse:en' }]);
      } finally {
        await client.close();
      }
    });

    it('speaks HTTP+SSE directly with the legacy transport', async () => {
      const client = new Client({ name: 'direct', version: '1' }, { era: 'legacy' });
      await client.connect(new LegacySseClientTransport(fixture.url));
      try {
        expect((await client.callTool('add', { a: 3, b: 4 })).structuredContent).toEqual({ sum: 7 });
      } finally {
        await client.close();
      }
    });
  });
});

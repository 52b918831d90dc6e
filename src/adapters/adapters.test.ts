import type { AddressInfo } from 'node:net';
import express from 'express';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoServer } from '../cli/demo.js';
import { createStreamableHttpHandler } from '../transports/index.js';
import { expressHandler } from './express.js';
import { honoHandler } from './hono.js';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
};
const body = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text: 'adapted' }, _meta: META },
});
const headers = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
  'mcp-name': 'echo',
};

describe('framework adapters', () => {
  const handler = createStreamableHttpHandler(createDemoServer());

  describe.each([
    ['without a body parser', false],
    ['after express.json()', true],
  ])('Express %s', (_name, parse) => {
    let url: string;
    let close: () => void;
    beforeAll(async () => {
      const app = express();
      if (parse) app.use(express.json());
      app.all('/mcp', expressHandler(handler));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
      close = () => server.close();
    });
    afterAll(() => close());

    it('serves MCP', async () => {
      const r = await fetch(url, { method: 'POST', headers, body });
      expect((await r.json()).result.content).toEqual([{ type: 'text', text: 'adapted' }]);
    });
  });

  it('Hono passes the web Request straight through', async () => {
    const app = new Hono();
    app.all('/mcp', honoHandler(handler));
    const r = await app.request('http://localhost/mcp', { method: 'POST', headers, body });
    expect((await r.json()).result.content).toEqual([{ type: 'text', text: 'adapted' }]);
  });
});

describe('the node adapter', () => {
  it('writes every Set-Cookie of a web Response as its own header line', async () => {
    const { serveHttp } = await import('./node.js');
    const served = await serveHttp(
      async () => {
        const headers = new Headers();
        headers.append('set-cookie', 'a=1; Path=/');
        headers.append('set-cookie', 'b=2; Path=/');
        return new Response('ok', { headers });
      },
      { port: 0, path: '/cookies' },
    );
    try {
      const response = await fetch(served.url);
      expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    } finally {
      await served.close();
    }
  });
});

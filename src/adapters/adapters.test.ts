import type { AddressInfo } from 'node:net';
import express from 'express';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoServer } from '../cli/demo.js';
import { createStreamableHttpHandler } from '../transports/index.js';
import type { HttpAnswer, HttpInput } from '../transports/streamable-http/http-core.js';
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

  it('hands the core inputs of one shape, with the body read lazily through the prototype', async () => {
    const { serveHttp } = await import('./node.js');
    const inputs: HttpInput[] = [];
    const bodies: string[] = [];
    const core = async (input: HttpInput): Promise<HttpAnswer> => {
      inputs.push(input);
      const bytes = await input.readAll?.(1024);
      bodies.push(bytes ? new TextDecoder().decode(bytes) : '(none)');
      return { status: 200, headers: {}, body: 'ok' };
    };
    const handler = Object.assign(async () => new Response('web path'), { answer: core });
    const served = await serveHttp(handler, { port: 0, path: '/in' });
    try {
      await (await fetch(served.url, { method: 'POST', body: 'first' })).text();
      await (await fetch(served.url, { method: 'POST', body: 'second' })).text();
      await (await fetch(served.url)).text();
    } finally {
      await served.close();
    }
    expect(bodies).toEqual(['first', 'second', '']);
    // A per-request `body` accessor gave every input its own hidden class, which kept requests
    // alive through young collections: the accessor must be shared, not an own property.
    for (const input of inputs) expect(Object.getOwnPropertyDescriptor(input, 'body')).toBeUndefined();
    expect(Object.getPrototypeOf(inputs[0])).toBe(Object.getPrototypeOf(inputs[2]));
    expect(inputs[2]!.body).toBeNull();
    expect(inputs[0]!.method).toBe('POST');
    expect(inputs[0]!.remoteAddress).toBe('127.0.0.1');
    expect(typeof inputs[0]!.remotePort).toBe('number');
  });

  it('reads headers in any case, and tells the core of a client gone before its answer', async () => {
    const { serveHttp } = await import('./node.js');
    const seen: (string | null)[] = [];
    let abandoned!: () => void;
    const gone = new Promise<void>((resolve) => (abandoned = resolve));
    const core = async (input: HttpInput): Promise<HttpAnswer> => {
      seen.push(input.headers.get('x-probe'), input.headers.get('X-Probe'), input.headers.get('x-absent'));
      input.onAbandon?.(abandoned);
      await gone; // never answered: the client leaves first
      return { status: 200, headers: {}, body: 'late' };
    };
    const handler = Object.assign(async () => new Response('web path'), { answer: core });
    const served = await serveHttp(handler, { port: 0, path: '/in' });
    try {
      const controller = new AbortController();
      const request = fetch(served.url, { headers: { 'X-Probe': 'yes' }, signal: controller.signal });
      while (seen.length === 0) await new Promise((r) => setTimeout(r, 5));
      controller.abort();
      await request.catch(() => undefined);
      await gone; // resolves only through onAbandon
    } finally {
      await served.close();
    }
    expect(seen).toEqual(['yes', 'yes', null]);
  });

  it('rejects the body of a client that goes away half-way, and the server carries on', async () => {
    const { serveHttp } = await import('./node.js');
    const outcomes: string[] = [];
    const core = async (input: HttpInput): Promise<HttpAnswer> => {
      try {
        const bytes = await input.readAll!(1 << 20);
        outcomes.push(`read ${bytes?.byteLength}`);
      } catch (error) {
        outcomes.push((error as Error).message);
      }
      return { status: 200, headers: {}, body: 'ok' };
    };
    const handler = Object.assign(async () => new Response('web path'), { answer: core });
    const served = await serveHttp(handler, { port: 0, path: '/in' });
    try {
      const { connect } = await import('node:net');
      const url = new URL(served.url);
      const socket = connect(Number(url.port), url.hostname);
      await new Promise((r) => socket.once('connect', r));
      // Promises 100 bytes, sends 5, then leaves.
      socket.write(`POST /in HTTP/1.1\r\nhost: ${url.host}\r\ncontent-length: 100\r\n\r\nhello`);
      await new Promise((r) => setTimeout(r, 50));
      socket.destroy();
      while (outcomes.length === 0) await new Promise((r) => setTimeout(r, 5));
      const after = await fetch(served.url, { method: 'POST', body: 'next' });
      expect(await after.text()).toBe('ok');
    } finally {
      await served.close();
    }
    expect(outcomes).toEqual(['The client went away before the body was complete', 'read 4']);
  });
});

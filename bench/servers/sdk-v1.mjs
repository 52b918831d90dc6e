// The official SDK v1 (legacy era): stdio, and Streamable HTTP with sessions and JSON responses
// (stateless mode at /stateless).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { announce, BIG_TEXT, EXTRA_TOOLS, held, memory, options, release } from './options.mjs';

function build() {
  const server = new McpServer({ name: 'bench-sdk-v1', version: '1' });
  server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('big', {}, () => ({ content: [{ type: 'text', text: BIG_TEXT }] }));
  server.registerTool('hold', {}, () => new Promise((resolve) => held.push(() => resolve({ content: [] }))));
  server.registerTool('release', {}, () => ({ content: [{ type: 'text', text: String(release()) }] }));
  server.registerTool('mem', {}, () => ({ content: [{ type: 'text', text: JSON.stringify(memory()) }] }));
  for (let i = 0; i < EXTRA_TOOLS; i++) {
    server.registerTool(
      `tool_${i}`,
      { description: `Tool number ${i}`, inputSchema: { text: z.string().optional() } },
      () => ({ content: [] }),
    );
  }
  return server;
}

if (options.transport === 'stdio') {
  await build().connect(new StdioServerTransport());
} else {
  const sessions = new Map();
  const http = createServer(async (req, res) => {
    if (req.url === '/__mem') return res.end(JSON.stringify({ ...memory(), sessions: sessions.size }));
    if (req.url === '/stateless') {
      // The SDK's stateless pattern: a server and a transport per request, no session id.
      const server = build();
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      return transport.handleRequest(req, res);
    }
    const id = req.headers['mcp-session-id'];
    let transport = id ? sessions.get(id) : undefined;
    if (!transport) {
      if (id) return res.writeHead(404).end();
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        enableJsonResponse: true,
        onsessioninitialized: (sid) => sessions.set(sid, transport),
      });
      await build().connect(transport);
    }
    await transport.handleRequest(req, res);
  });
  announce(http);
}

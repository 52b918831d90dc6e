// The official SDK v2: stdio (both eras via serveStdio), Streamable HTTP modern stateless
// (createMcpHandler, JSON responses) and legacy with sessions (the web-standard transport).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import {
  createMcpHandler,
  isLegacyRequest,
  McpServer,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';
import { sendWebResponse, toWebRequest } from '../lib/web-bridge.mjs';
import { announce, BIG_TEXT, EXTRA_TOOLS, held, memory, options, release } from './options.mjs';

function build() {
  const server = new McpServer({ name: 'bench-sdk-v2', version: '1' }, { capabilities: { tools: {} } });
  const empty = z.object({});
  server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('big', { inputSchema: empty }, () => ({ content: [{ type: 'text', text: BIG_TEXT }] }));
  server.registerTool(
    'hold',
    { inputSchema: empty },
    () => new Promise((resolve) => held.push(() => resolve({ content: [] }))),
  );
  server.registerTool('release', { inputSchema: empty }, () => ({
    content: [{ type: 'text', text: String(release()) }],
  }));
  server.registerTool('mem', { inputSchema: empty }, () => ({
    content: [{ type: 'text', text: JSON.stringify(memory()) }],
  }));
  for (let i = 0; i < EXTRA_TOOLS; i++) {
    server.registerTool(
      `tool_${i}`,
      { description: `Tool number ${i}`, inputSchema: z.object({ text: z.string().optional() }) },
      () => ({ content: [] }),
    );
  }
  return server;
}

if (options.transport === 'stdio') {
  serveStdio(build);
} else {
  const modern = createMcpHandler(build, { legacy: 'reject', responseMode: 'json' });
  const sessions = new Map();
  const http = createServer(async (req, res) => {
    if (req.url === '/__mem') return res.end(JSON.stringify({ ...memory(), sessions: sessions.size }));
    const request = await toWebRequest(req);
    let response;
    if (!(await isLegacyRequest(request.clone()))) response = await modern.fetch(request);
    else {
      const id = request.headers.get('mcp-session-id');
      let transport = id ? sessions.get(id) : undefined;
      if (!transport && id) response = new Response(null, { status: 404 });
      else {
        if (!transport) {
          transport = new WebStandardStreamableHTTPServerTransport({
            sessionIdGenerator: randomUUID,
            enableJsonResponse: true,
            onsessioninitialized: (sid) => sessions.set(sid, transport),
          });
          await build().connect(transport);
        }
        response = await transport.handleRequest(request);
      }
    }
    await sendWebResponse(response, res);
  });
  announce(http);
}

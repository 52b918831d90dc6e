// The baseline: hand-written minimal JSON-RPC with no SDK and no validation. It answers just
// enough MCP for the scenarios (initialize, tools/list, tools/call), over stdio or node:http.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { announce, BIG_TEXT, EXTRA_TOOLS, held, memory, options, release } from './options.mjs';

const TOOLS = [
  'echo',
  'big',
  'hold',
  'release',
  'mem',
  ...Array.from({ length: EXTRA_TOOLS }, (_, i) => `tool_${i}`),
].map((name) => ({
  name,
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
}));

async function answer(message) {
  const { id, method, params } = message;
  if (id === undefined) return undefined;
  const text = (t) => ({ content: [{ type: 'text', text: t }] });
  let result;
  if (method === 'initialize') {
    result = {
      protocolVersion: params.protocolVersion,
      capabilities: { tools: {} },
      serverInfo: { name: 'bench-raw', version: '1' },
    };
  } else if (method === 'server/discover') {
    result = {
      resultType: 'complete',
      supportedVersions: ['2026-07-28'],
      capabilities: { tools: {} },
      ttlMs: 0,
      cacheScope: 'private',
    };
  } else if (method === 'tools/list') result = { tools: TOOLS };
  else if (method === 'tools/call') {
    const name = params.name;
    if (name === 'echo') result = text(params.arguments.text);
    else if (name === 'big') result = text(BIG_TEXT);
    else if (name === 'hold')
      result = await new Promise((resolve) => held.push(() => resolve(text('released'))));
    else if (name === 'release') result = text(String(release()));
    else if (name === 'mem') result = text(JSON.stringify(memory()));
    else result = text('ok');
  } else return { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } };
  if (params?._meta?.['io.modelcontextprotocol/protocolVersion']) result.resultType = 'complete';
  return { jsonrpc: '2.0', id, result };
}

if (options.transport === 'stdio') {
  let buffer = '';
  process.stdin.setEncoding('utf8').on('data', (chunk) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line) answer(JSON.parse(line)).then((r) => r && process.stdout.write(`${JSON.stringify(r)}\n`));
    }
  });
  process.stdin.on('end', () => process.exit(0));
} else {
  const sessions = new Set();
  const http = createServer((req, res) => {
    if (req.url === '/__mem') return res.end(JSON.stringify({ ...memory(), sessions: sessions.size }));
    let body = '';
    req.setEncoding('utf8').on('data', (c) => (body += c));
    req.on('end', async () => {
      const message = JSON.parse(body);
      const headers = { 'content-type': 'application/json' };
      if (message.method === 'initialize') {
        const sid = randomUUID();
        sessions.add(sid);
        headers['mcp-session-id'] = sid;
      }
      const reply = await answer(message);
      if (!reply) return res.writeHead(202).end();
      res.writeHead(200, headers).end(JSON.stringify(reply));
    });
  });
  announce(http);
}

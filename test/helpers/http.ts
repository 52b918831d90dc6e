import { serveHttp } from '../../src/adapters/index.js';
import { createDemoServer } from '../../src/cli/demo.js';
import type { McpServer } from '../../src/server/index.js';
import { createStreamableHttpHandler, type StreamableHttpOptions } from '../../src/transports/index.js';

/** The demo (or a given server) on an ephemeral loopback port. */
export async function httpServer(
  options: StreamableHttpOptions = {},
  server: McpServer = createDemoServer(),
) {
  const handler = createStreamableHttpHandler(server, options);
  const http = await serveHttp(handler, { port: 0 });
  return {
    url: http.url,
    handler,
    server,
    async close() {
      await handler.close();
      await server.close(100);
      await http.close();
    },
  };
}

export const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
};

export const JSON_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** Headers of a request in the legacy (2025-11-25) session `sessionId`. */
export function sessionHeaders(sessionId: string): Record<string, string> {
  return { ...JSON_HEADERS, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
}

/**
 * A `tools/list` in the legacy session `sessionId` (with `extra` headers, such as another caller's
 * credentials): its status tells whether the server serves that session to that caller.
 */
export function listToolsInSession(
  url: string,
  sessionId: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { ...sessionHeaders(sessionId), ...extra },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
}

/** Headers of a well-formed modern tools/call of `name`. */
export function modernHeaders(method: string, name?: string): Record<string, string> {
  return {
    ...JSON_HEADERS,
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': method,
    ...(name ? { 'mcp-name': name } : {}),
  };
}

/** A raw legacy `initialize` POST (2025-11-25), answered as it is. */
export function postInitialize(
  url: string,
  name = 'raw',
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name, version: '1' } },
    }),
  });
}

/** Opens a legacy session with a raw `initialize`; its `Mcp-Session-Id`. */
export async function openLegacySession(url: string, name = 'raw'): Promise<string> {
  const response = await postInitialize(url, name);
  const sessionId = response.headers.get('mcp-session-id');
  if (!sessionId) throw new Error(`initialize was answered ${response.status} with no session`);
  return sessionId;
}

const TASKS_CAPABILITIES = { extensions: { 'io.modelcontextprotocol/tasks': {} }, elicitation: {} };

/**
 * A raw modern request from a client that declares the tasks extension and elicitation; the
 * JSON-RPC answer as it came.
 */
export async function modernTaskRequest(
  url: string,
  method: string,
  params: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ result?: Record<string, unknown>; error?: { code: number; message: string } }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      ...modernHeaders(method, String(params.name ?? params.uri ?? params.taskId ?? '') || undefined),
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method,
      params: {
        ...params,
        _meta: { ...MODERN_META, 'io.modelcontextprotocol/clientCapabilities': TASKS_CAPABILITIES },
      },
    }),
  });
  return response.json() as Promise<{
    result?: Record<string, unknown>;
    error?: { code: number; message: string };
  }>;
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

export type WebHandler = (request: Request) => Promise<Response>;

/** node:http -> a web-standard handler. A client that goes away aborts `request.signal`. */
export function toNodeListener(handler: WebHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => handleNode(handler, req, res);
}

/** Serves one node:http exchange; `body` replaces the request stream when a framework already read it. */
export function handleNode(
  handler: WebHandler,
  req: IncomingMessage,
  res: ServerResponse,
  body?: string,
): void {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    signal: controller.signal,
    ...(hasBody ? { body: body ?? (Readable.toWeb(req) as ReadableStream<Uint8Array>), duplex: 'half' } : {}),
  } as RequestInit);
  handler(request)
    .then((response) => writeResponse(response, res, controller.signal))
    .catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"Internal error"}}');
    });
}

async function writeResponse(response: Response, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true });
  // SSE events must leave at once, not when a buffer fills.
  res.flushHeaders();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve));
    }
  } catch {
    // The client went away; the stream's cancel already told the handler.
  }
  res.end();
}

export interface ServeHttpOptions {
  port?: number;
  /** Default 127.0.0.1: local servers bind to loopback only. */
  host?: string;
  /** The endpoint path; other paths answer 404. */
  path?: string;
  /** More handlers by path (the 2024-11-05 SSE and messages endpoints, health checks...). */
  routes?: Record<string, WebHandler>;
}

/** Serves a web handler on node:http with request and header timeouts on. */
export async function serveHttp(
  handler: WebHandler,
  options: ServeHttpOptions = {},
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const path = options.path ?? '/mcp';
  const listeners = new Map([[path, toNodeListener(handler)]]);
  for (const [route, routeHandler] of Object.entries(options.routes ?? {}))
    listeners.set(route, toNodeListener(routeHandler));
  const server = createServer({ headersTimeout: 30_000, requestTimeout: 0 }, (req, res) => {
    const listener = listeners.get(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!listener) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    listener(req, res);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

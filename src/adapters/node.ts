import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ConnInfo, HttpAnswer, HttpInput } from '../transports/streamable-http/http-core.js';
import { InternalServerError } from '../transports/streamable-http/http-error.js';
import { ConnectionLimiter, type ConnectionLimits } from './connection-limiter.js';

export type { ConnInfo };

export type WebHandler = (request: Request, info?: ConnInfo) => Promise<Response>;

/** mcpkit's handlers also offer their HTTP core, which node serves without the web bridge. */
type MaybeCore = WebHandler & { answer?: (input: HttpInput) => Promise<HttpAnswer> };

/** node:http -> a web-standard handler. A client that goes away aborts `info.signal`. */
export function toNodeListener(handler: WebHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => handleNode(handler, req, res);
}

/**
 * Serves one node:http exchange; `body` replaces the request stream when a framework already read
 * it. Nothing here may throw out of the listener: node:http would let it kill the process, so a
 * request that cannot become a web `Request` gets 400 and a failure while answering gets 500.
 */
export function handleNode(
  handler: WebHandler,
  req: IncomingMessage,
  res: ServerResponse,
  body?: string,
): void {
  const core = (handler as MaybeCore).answer;
  if (typeof core === 'function') {
    // The native path: no AbortController, no web Request; the core hears of a departed client
    // through onAbandon, which listens to the response only for the requests that ask.
    core(new NodeInput(req, res, body))
      .then((answer) => writeAnswer(answer, res))
      .catch(() => failed(res));
    return;
  }
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  let request: Request;
  try {
    request = toWebRequest(req, body);
  } catch {
    // A Host with userinfo or bad escapes (`localhost@evil.com`, `a%zz`) makes no valid URL.
    answerPlain(res, 400, 'Bad Request: the Host header and request target do not form a valid URL');
    req.resume();
    return;
  }
  handler(request, { remoteAddress: req.socket.remoteAddress ?? '', signal: controller.signal })
    .then((response) => writeResponse(response, res, controller.signal))
    .catch(() => failed(res));
}

function failed(res: ServerResponse): void {
  try {
    const answer = new InternalServerError().toAnswer();
    if (!res.headersSent) res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  } catch {
    res.destroy();
  }
}

/** node's headers as the core reads them: names are lower-case already, repeats joined. */
class NodeHeaders {
  constructor(private readonly raw: IncomingMessage['headers']) {}

  get(name: string): string | null {
    // The core asks in lower case: only a name that is not found is lowered and tried again.
    let value = this.raw[name];
    if (value === undefined) {
      const lower = name.toLowerCase();
      if (lower === name) return null;
      value = this.raw[lower];
      if (value === undefined) return null;
    }
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

async function* once(text: string): AsyncIterable<Uint8Array> {
  yield new TextEncoder().encode(text);
}

/**
 * Collects a body with plain 'data' events (cheaper than async iteration); undefined past
 * `maxBytes`. No 'error' listener: node emits a request's errors only to listeners, and 'close'
 * follows every failure; nothing is removed after 'end' (the request goes with its answer).
 */
function readAll(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // A body refused half-way (413) is not destroyed here: the answer still has to go out.
        ended = true;
        req.off('data', onData);
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (ended) return;
      ended = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on('close', () => {
      if (!ended) reject(new Error('The client went away before the body was complete'));
    });
  });
}

/**
 * A node request as the core's input. A class, not an object literal with a `body` getter: each
 * literal's getter is a new closure, so V8 gave every request's input its own hidden class, and
 * those old-space maps held the request alive through young collections (1.1-1.3 KB promoted to
 * the old generation per request, and a young generation grown to hold it: RSS under load).
 */
class NodeInput implements HttpInput {
  readonly method: string;
  readonly url: string;
  readonly headers: NodeHeaders;
  readonly remoteAddress: string;
  readonly remotePort: number | undefined;
  private readonly hasBody: boolean;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    /** The body a framework already read, replacing the request stream. */
    private readonly given: string | undefined,
  ) {
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
    this.headers = new NodeHeaders(req.headers);
    this.remoteAddress = req.socket.remoteAddress ?? '';
    this.remotePort = req.socket.remotePort;
    this.hasBody = this.method !== 'GET' && this.method !== 'HEAD';
  }

  // Made only if read: the core reads a node body through readAll.
  get body(): AsyncIterable<Uint8Array> | null {
    if (!this.hasBody) return null;
    return this.given !== undefined ? once(this.given) : this.req.iterator({ destroyOnReturn: false });
  }

  readAll(maxBytes: number): Promise<Uint8Array | undefined> {
    if (!this.hasBody) return Promise.resolve(new Uint8Array(0));
    return this.given !== undefined ? Promise.resolve(Buffer.from(this.given)) : readAll(this.req, maxBytes);
  }

  /** The client closed the connection before its answer was written. */
  onAbandon(listener: () => void): void {
    const res = this.res;
    // 'close' comes once: `on` spares the wrapper `once` would make per request.
    res.on('close', () => {
      if (!res.writableFinished) listener();
    });
  }
}

/**
 * One writeHead and one end for a text answer (with its length), at once; a stream is pumped as it
 * comes (the only case that returns a promise).
 */
function writeAnswer(answer: HttpAnswer, res: ServerResponse): Promise<void> | undefined {
  if (answer.body === null || typeof answer.body === 'string') {
    const text = answer.body ?? '';
    answer.headers['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(answer.status, answer.headers);
    res.end(text);
    return undefined;
  }
  res.writeHead(answer.status, answer.headers);
  return pump(answer.body, res);
}

function toWebRequest(req: IncomingMessage, body?: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    ...(hasBody ? { body: body ?? (Readable.toWeb(req) as ReadableStream<Uint8Array>), duplex: 'half' } : {}),
  } as RequestInit);
}

function answerPlain(res: ServerResponse, status: number, text: string): void {
  try {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(text);
  } catch {
    res.destroy();
  }
}

async function writeResponse(response: Response, res: ServerResponse, _signal: AbortSignal): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  // Several cookies are several header lines; forEach would keep only the last.
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 1) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  await pump(response.body, res);
}

async function pump(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader();
  /** Ends a wait for 'drain' that will not come. */
  let wake: (() => void) | undefined;
  // A client that goes away cancels the stream, which tells whoever writes to it.
  res.once('close', () => {
    if (!res.writableFinished) void reader.cancel().catch(() => {});
    wake?.();
  });
  // The stream fails when its client reads too slowly (SseStream's backlog bound): that client
  // is not waited for, or its connection would keep what was already written to it.
  let failed = false;
  reader.closed.catch(() => {
    failed = true;
    wake?.();
  });
  // SSE events must leave at once, not when a buffer fills.
  res.flushHeaders();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          res.once('drain', resolve);
        });
        wake = undefined;
        if (failed) break;
      }
    }
  } catch {
    // The stream failed; a client that went away cancels it instead (which told the handler).
    failed = true;
  }
  if (failed) res.destroy();
  else res.end();
}

/** The path of a request target, or undefined when the target is not a URL at all. */
function pathOf(target: string): string | undefined {
  if (target.startsWith('/')) {
    const end = target.search(/[?#]/);
    return end < 0 ? target : target.slice(0, end);
  }
  try {
    return new URL(target).pathname; // absolute-form (a proxy's request line)
  } catch {
    return undefined;
  }
}

export interface ServeHttpOptions extends ConnectionLimits {
  port?: number;
  /** Default 127.0.0.1: local servers bind to loopback only. */
  host?: string;
  /** The endpoint path; other paths answer 404. */
  path?: string;
  /** More handlers by path (the 2024-11-05 SSE and messages endpoints, health checks...). */
  routes?: Record<string, WebHandler>;
  /** Time to receive a request's headers. Default 10 s. */
  headersTimeoutMs?: number;
  /** Time to receive a whole request, body included (not the response: streams stay open). Default 30 s. */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. Default 5 s. */
  keepAliveTimeoutMs?: number;
}

/**
 * Serves a web handler on node:http, bounded by default: header, body and keep-alive timeouts (a
 * slow or stalled body is answered 408 and closed) and connection caps in total and per address.
 */
export async function serveHttp(
  handler: WebHandler,
  options: ServeHttpOptions = {},
): Promise<{ url: string; server: Server; close(graceMs?: number): Promise<void> }> {
  const path = options.path ?? '/mcp';
  const listeners = new Map([[path, toNodeListener(handler)]]);
  for (const [route, routeHandler] of Object.entries(options.routes ?? {}))
    listeners.set(route, toNodeListener(routeHandler));
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  // node requires headersTimeout <= requestTimeout.
  const headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout);
  const limiter = new ConnectionLimiter(options);
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
      // node checks the two timeouts on this interval; a long interval would let them overrun.
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, headersTimeout / 4, requestTimeout / 4)),
    },
    (req, res) => {
      if (limiter.isRefused(req.socket)) return;
      const path = pathOf(req.url ?? '/');
      if (path === undefined) {
        answerPlain(res, 400, 'Bad Request: the request target is not a valid URL');
        return;
      }
      const listener = listeners.get(path);
      if (!listener) {
        answerPlain(res, 404, 'Not Found');
        return;
      }
      listener(req, res);
    },
  );
  limiter.attach(server);
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
    /** Stops accepting, lets answers being written finish for up to `graceMs`, then cuts the rest. */
    close: (graceMs = 1000) =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), graceMs).unref();
      }),
  };
}

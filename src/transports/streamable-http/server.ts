import { ErrorCode } from '../../protocol/errors.js';
import {
  DEFAULT_DECODE_LIMITS,
  decode,
  type JsonRpcMessage,
  type RequestId,
} from '../../protocol/jsonrpc.js';
import { META } from '../../protocol/meta.js';
import { DEFAULT_HTTP_REVISION, isLegacyRevision, type LegacyRevision } from '../../protocol/revisions.js';
import type { ServerConnection } from '../../server/connection.js';
import type { McpServer } from '../../server/mcp-server.js';
import { HttpError, readBody } from './body.js';
import { type EventStore, InMemoryEventStore } from './event-store.js';
import { Exchange } from './exchange.js';
import { ExchangeTransport, SessionTransport } from './http-transports.js';
import { checkModernHeaders } from './modern-headers.js';
import { checkOrigin, type OriginPolicy } from './security.js';
import { SSE_HEADERS, SseStream } from './sse.js';

export interface StreamableHttpOptions extends OriginPolicy {
  /** Legacy-era clients: sessions (default), one fresh connection per request, or refused. */
  legacy?: 'sessions' | 'stateless' | 'reject';
  maxBodyBytes?: number;
  maxSessions?: number;
  /** A legacy session with no request and no open stream for this long ends. */
  sessionIdleMs?: number;
  maxStreamsPerSession?: number;
  /** SSE streams open at once, all sessions and requests together. */
  maxOpenStreams?: number;
  /** SSE keep-alive comment interval. */
  keepAliveMs?: number;
  /** The SSE `retry` hint sent with priming events. */
  retryMs?: number;
  /** Keeps legacy SSE events for `Last-Event-ID` resumption. Default: in memory. */
  eventStore?: EventStore;
}

export interface StreamableHttpHandler {
  (request: Request): Promise<Response>;
  /** Ends every legacy session. */
  close(): Promise<void>;
  readonly sessionCount: number;
}

interface Session {
  transport: SessionTransport;
  connection: ServerConnection;
}

/** Modern errors that the transport answers with an HTTP status (2026-07-28 transports). */
function modernStatus(frame: string): number {
  if (!frame.includes('"error"')) return 200;
  const code = (JSON.parse(frame) as { error?: { code?: number } }).error?.code;
  if (code === ErrorCode.MethodNotFound) return 404;
  if (
    code === ErrorCode.UnsupportedProtocolVersion ||
    code === ErrorCode.HeaderMismatch ||
    code === ErrorCode.MissingRequiredClientCapability
  ) {
    return 400;
  }
  return 200;
}

/**
 * The Streamable HTTP endpoint as a web-standard handler, for both eras: modern requests are served
 * statelessly, one connection per POST; legacy clients get sessions (`Mcp-Session-Id`), the GET
 * stream, server-to-client requests and resumability. Bounds and DNS-rebinding checks are on by
 * default.
 */
export function createStreamableHttpHandler(
  server: McpServer,
  options: StreamableHttpOptions = {},
): StreamableHttpHandler {
  const sessions = new Map<string, Session>();
  const events = options.eventStore ?? new InMemoryEventStore();
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const limits = { ...DEFAULT_DECODE_LIMITS, maxMessageLength: maxBody };
  let openStreams = 0;
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const sweeper = setInterval(
    () => {
      const oldest = Date.now() - idleMs;
      for (const [id, s] of sessions) {
        if (
          s.transport.streams.length === 0 &&
          s.transport.exchanges.size === 0 &&
          s.transport.lastActivity < oldest
        ) {
          sessions.delete(id);
          void s.transport.close();
        }
      }
    },
    Math.min(60_000, Math.max(1000, idleMs / 2)),
  );
  sweeper.unref?.();

  function openStream(onClose: () => void): SseStream {
    if (openStreams >= (options.maxOpenStreams ?? 1000)) throw new HttpError(429, 'Too many open streams');
    openStreams++;
    let counted = true;
    const stream = new SseStream(() => {
      if (counted) openStreams--;
      counted = false;
      onClose();
    }, options.keepAliveMs ?? 15_000);
    return stream;
  }

  async function post(request: Request): Promise<Response> {
    const contentType = request.headers.get('content-type') ?? '';
    if (!/^application\/json\b/i.test(contentType))
      throw new HttpError(415, 'Unsupported Media Type: use application/json');
    const accept = request.headers.get('accept') ?? '*/*';
    const sseAllowed = /text\/event-stream|\*\/\*/i.test(accept);
    if (!sseAllowed && !/application\/json|application\/\*/i.test(accept)) {
      throw new HttpError(406, 'Not Acceptable: accept application/json and text/event-stream');
    }
    const text = await readBody(request, maxBody);
    const decoded = decode(text, limits);
    if (decoded.kind === 'invalid') {
      // Unparseable or malformed JSON-RPC: 400 with the JSON-RPC error that says which.
      return new Response(JSON.stringify(decoded.error), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      });
    }
    const messages: JsonRpcMessage[] =
      decoded.kind === 'message'
        ? [decoded.message]
        : decoded.items.flatMap((i) => ('message' in i ? [i.message] : []));
    const first = messages[0]!;
    const method = 'method' in first ? first.method : undefined;
    const version = (first as { params?: { _meta?: Record<string, unknown> } }).params?._meta?.[
      META.protocolVersion
    ];
    const headerVersion = request.headers.get('mcp-protocol-version');
    const id =
      'id' in first && (typeof first.id === 'string' || typeof first.id === 'number') ? first.id : null;
    // Modern: the body names its version in _meta, or the header names a version past the legacy ones.
    const isModern =
      version !== undefined ||
      (headerVersion !== null && !isLegacyRevision(headerVersion) && headerVersion > '2025-11-25');
    try {
      if (decoded.kind === 'message' && method !== undefined && isModern) {
        return await modern(request, first as JsonRpcMessage & { method: string }, version, text, sseAllowed);
      }
      return await legacy(request, messages, text, sseAllowed);
    } catch (error) {
      // Every error answer carries the id of the request it refuses.
      if (error instanceof HttpError) return error.toResponse(id);
      throw error;
    }
  }

  async function modern(
    request: Request,
    message: JsonRpcMessage & { method: string },
    version: unknown,
    text: string,
    sseAllowed: boolean,
  ) {
    const id = 'id' in message ? (message.id as RequestId) : null;
    try {
      checkModernHeaders(
        server,
        request,
        message as { method: string; params?: Record<string, any> },
        version,
      );
    } catch (error) {
      if (error instanceof HttpError && error.code === ErrorCode.UnsupportedProtocolVersion) {
        const body = {
          jsonrpc: '2.0',
          id,
          error: {
            code: error.code,
            message: error.message,
            data: {
              supported: [...server.modernRevisions, ...server.legacyRevisions],
              requested: String(version),
            },
          },
        };
        return new Response(JSON.stringify(body), {
          status: 400,
          headers: { 'content-type': 'application/json' },
        });
      }
      if (error instanceof HttpError) return error.toResponse(id);
      throw error;
    }
    // This revision defines no client notifications over HTTP: accept and drop.
    if (id === null) return new Response(null, { status: 202 });
    const transport = new ExchangeTransport();
    const exchange = new Exchange([id], {
      sseAllowed,
      ...(options.keepAliveMs !== undefined ? { keepAliveMs: options.keepAliveMs } : { keepAliveMs: 15_000 }),
      statusOf: modernStatus,
      onAbandon: (ids) => {
        transport.cancel(ids);
        void transport.close();
      },
    });
    transport.exchange = exchange;
    request.signal?.addEventListener('abort', () => exchange.abandon(), { once: true });
    await server.connect(transport);
    transport.deliver(text);
    return exchange.response;
  }

  async function legacy(
    request: Request,
    messages: JsonRpcMessage[],
    text: string,
    sseAllowed: boolean,
  ): Promise<Response> {
    const mode = options.legacy ?? 'sessions';
    const ids = messages.flatMap((m) => ('method' in m && 'id' in m ? [m.id as RequestId] : []));
    const isInit = messages.length === 1 && 'method' in messages[0]! && messages[0].method === 'initialize';
    if (mode === 'reject') {
      const body = {
        jsonrpc: '2.0',
        id: ids[0] ?? null,
        error: {
          code: ErrorCode.UnsupportedProtocolVersion,
          message: 'This endpoint serves only the modern era',
          data: { supported: [...server.modernRevisions], requested: 'legacy' },
        },
      };
      return new Response(JSON.stringify(body), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      });
    }
    const headerVersion = request.headers.get('mcp-protocol-version');
    if (!isInit && headerVersion !== null && !isLegacyRevision(headerVersion)) {
      throw new HttpError(400, `Bad Request: unsupported MCP-Protocol-Version ${headerVersion}`);
    }
    if (mode === 'stateless') {
      const transport = new ExchangeTransport();
      const connection = await server.connect(transport);
      // A missing version header is taken as 2025-03-26 (2025-06-18 transports, "Protocol Version Header").
      if (!isInit)
        connection.assumeSession((headerVersion as LegacyRevision | null) ?? DEFAULT_HTTP_REVISION);
      if (ids.length === 0) {
        transport.deliver(text);
        void transport.close();
        return new Response(null, { status: 202 });
      }
      transport.exchange = new Exchange(ids, { sseAllowed, onAbandon: () => void transport.close() });
      transport.deliver(text);
      return transport.exchange.response;
    }
    const sessionId = request.headers.get('mcp-session-id');
    let session: Session | undefined;
    let opened: string | undefined;
    if (isInit) {
      if (sessions.size >= (options.maxSessions ?? 10_000)) throw new HttpError(503, 'Too many sessions');
      opened = crypto.randomUUID();
      const transport = new SessionTransport(opened, events);
      session = { transport, connection: await server.connect(transport) };
      sessions.set(opened, session);
    } else {
      if (sessionId === null) throw new HttpError(400, 'Bad Request: the Mcp-Session-Id header is required');
      session = sessions.get(sessionId);
      if (!session) throw new HttpError(404, 'Session not found');
    }
    const { transport, connection } = session;
    transport.lastActivity = Date.now();
    if (ids.length === 0) {
      transport.deliver(text);
      return new Response(null, { status: 202 });
    }
    const streamId = `${transport.streamId}.${crypto.randomUUID()}`;
    const resumable = connection.session?.features.icons ?? headerVersion === '2025-11-25';
    const exchange = new Exchange(ids, {
      sseAllowed,
      ...(opened ? { headers: { 'mcp-session-id': opened } } : {}),
      keepAliveMs: options.keepAliveMs ?? 15_000,
      eventId: (frame: string) => events.append(streamId, frame),
      // Priming events only for clients at 2025-11-25 or later: older ones choke on empty data.
      ...(resumable ? { priming: () => events.append(streamId, ''), retryMs: options.retryMs ?? 1000 } : {}),
      // Legacy era: a disconnect is not a cancellation; the answer waits in the event store.
      onAbandon: () => {},
      keepOnDisconnect: true,
    });
    for (const id of ids) transport.exchanges.set(id, exchange);
    transport.track(streamId, exchange);
    transport.deliver(text);
    const response = await exchange.response;
    if (opened && !connection.session) {
      // initialize failed: no session was opened after all.
      sessions.delete(opened);
      void transport.close();
      const headers = new Headers(response.headers);
      headers.delete('mcp-session-id');
      return new Response(response.body, { status: response.status, headers });
    }
    return response;
  }

  async function get(request: Request): Promise<Response> {
    const sessionId = request.headers.get('mcp-session-id');
    if ((options.legacy ?? 'sessions') !== 'sessions' || sessionId === null) {
      throw new HttpError(405, 'Method Not Allowed', ErrorCode.InvalidRequest, { allow: 'POST' });
    }
    if (!/text\/event-stream|\*\/\*/i.test(request.headers.get('accept') ?? ''))
      throw new HttpError(406, 'Not Acceptable: text/event-stream');
    const session = sessions.get(sessionId);
    if (!session) throw new HttpError(404, 'Session not found');
    const { transport } = session;
    if (transport.streams.length >= (options.maxStreamsPerSession ?? 4))
      throw new HttpError(429, 'Too many streams for this session');
    const stream = openStream(() => transport.removeStream(stream));
    transport.lastActivity = Date.now();
    const lastEventId = request.headers.get('last-event-id');
    if (lastEventId) {
      // Replays only the stream the id belongs to, and only within this session.
      if (!lastEventId.startsWith(`${transport.streamId}`))
        throw new HttpError(404, 'Unknown Last-Event-ID for this session');
      const replayed = await events.replayAfter(lastEventId, (id, data) => {
        if (data !== '') stream.send({ event: 'message', id, data });
      });
      // A POST stream still waiting for its answer continues on this GET.
      const exchange = replayed ? transport.resumable.get(replayed) : undefined;
      if (exchange && !exchange.finished) exchange.attach(stream);
      else transport.streams.push(stream);
    } else {
      transport.streams.push(stream);
    }
    return new Response(stream.body, { status: 200, headers: SSE_HEADERS });
  }

  async function del(request: Request): Promise<Response> {
    const sessionId = request.headers.get('mcp-session-id');
    if ((options.legacy ?? 'sessions') !== 'sessions' || sessionId === null) {
      throw new HttpError(405, 'Method Not Allowed', ErrorCode.InvalidRequest, { allow: 'POST' });
    }
    const session = sessions.get(sessionId);
    if (!session) throw new HttpError(404, 'Session not found');
    sessions.delete(sessionId);
    await session.transport.close();
    return new Response(null, { status: 200 });
  }

  const handler = (async (request: Request): Promise<Response> => {
    try {
      checkOrigin(request, options);
      if (request.method === 'POST') return await post(request);
      if (request.method === 'GET') return await get(request);
      if (request.method === 'DELETE') return await del(request);
      throw new HttpError(405, 'Method Not Allowed', ErrorCode.InvalidRequest, {
        allow: 'GET, POST, DELETE',
      });
    } catch (error) {
      if (error instanceof HttpError) return error.toResponse();
      return new HttpError(500, 'Internal error', ErrorCode.InternalError).toResponse();
    }
  }) as StreamableHttpHandler;
  handler.close = async () => {
    clearInterval(sweeper);
    await Promise.allSettled([...sessions.values()].map((s) => s.transport.close()));
    sessions.clear();
  };
  Object.defineProperty(handler, 'sessionCount', { get: () => sessions.size });
  return handler;
}

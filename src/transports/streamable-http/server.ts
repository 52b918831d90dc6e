import type { Bus } from '../../engine/bus.js';
import { type Principal, principalKey } from '../../engine/principal.js';
import { Quota } from '../../engine/quota.js';
import { ErrorCode, McpError } from '../../protocol/errors.js';
import { modernHttpStatus } from '../../protocol/http-status.js';
import {
  type Decoded,
  decode,
  encode,
  encodeResponse,
  errorResponse,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
  messagesOf,
  type RequestId,
  requestIdsOf,
} from '../../protocol/jsonrpc.js';
import { META } from '../../protocol/meta.js';
import {
  DEFAULT_HTTP_REVISION,
  isLegacyRevision,
  type LegacyRevision,
  requestEra,
} from '../../protocol/revisions.js';
import type { OneShotCall, ServerRuntime } from '../../server/core.js';
import { type McpServer, runtimeOf } from '../../server/mcp-server.js';
import { bodyDecodeLimits, DEFAULT_MAX_BODY_BYTES, readBody } from './body.js';
import { preflight, withCors } from './cors.js';
import { type EventStore, InMemoryEventStore } from './event-store.js';
import { Exchange } from './exchange.js';
import {
  answer,
  type ClientKey,
  type CoreHandler,
  type HttpAnswer,
  type HttpInput,
  jsonAnswer,
  networkOf,
  type RequestAuthenticator,
  webHandler,
} from './http-core.js';
import {
  BadRequest,
  HttpError,
  InternalServerError,
  MethodNotAllowed,
  NotAcceptable,
  NotFound,
  Overloaded,
  StoreUnavailable,
  UnsupportedMediaType,
} from './http-error.js';
import { ExchangeTransport, SessionTransport } from './http-transports.js';
import { identify } from './identify.js';
import { checkModernHeaders } from './modern-headers.js';
import { admitsOrigin, checkOrigin, type OriginPolicy } from './security.js';
import type { SessionState, SessionStore, StoredSession } from './session-store.js';
import { type Session, SessionTable } from './sessions.js';
import { SSE_HEADERS, SseStream } from './sse.js';

export type { ConnInfo } from './http-core.js';

export interface StreamableHttpOptions extends OriginPolicy {
  /**
   * CORS headers for browser pages from the origins `allowedOrigins` admits: preflights answered,
   * `Mcp-Session-Id` and the other MCP headers readable. Default true; false leaves CORS to a proxy.
   */
  cors?: boolean;
  /** Legacy-era clients: sessions (default), one fresh connection per request, or refused. */
  legacy?: 'sessions' | 'stateless' | 'reject';
  /** Default 4 MiB: a 1 MiB argument with its envelope fits, as with the official SDKs. */
  maxBodyBytes?: number;
  /** Legacy sessions at once. Default 10,000. */
  maxSessions?: number;
  /** Legacy sessions one client may hold. Default 100. */
  maxSessionsPerClient?: number;
  /** A legacy session with no request and no open stream for this long ends. Default 5 minutes. */
  sessionIdleMs?: number;
  /** GET streams of one legacy session. Default 4. */
  maxStreamsPerSession?: number;
  /** Long-lived SSE streams (legacy GET, modern `subscriptions/listen`) open at once. Default 1,000. */
  maxOpenStreams?: number;
  /** Long-lived SSE streams one client may hold. Default 100. */
  maxStreamsPerClient?: number;
  /** Requests being served at once, both eras. Default 1,024. */
  maxConcurrentRequests?: number;
  /** Requests one client may have in flight at once. Default 256. */
  maxConcurrentRequestsPerClient?: number;
  /** The Retry-After of 429 and 503 refusals. Default 1 s. */
  retryAfterSeconds?: number;
  /**
   * Who a request comes from, for the per-client bounds. Default: the remote address the host
   * passes (node adapter: the socket's). Behind a proxy, read its forwarding header here.
   */
  clientKey?: ClientKey;
  /** SSE keep-alive comment interval. */
  keepAliveMs?: number;
  /**
   * Bytes of SSE events one stream may hold that its client has not read yet. Past it, once the
   * client has read nothing for 5 s (at once past 16 times it), the next event ends the stream as
   * if the client had gone away (a legacy client resumes with Last-Event-ID; a modern request is
   * cancelled), so a client that stops reading cannot grow the server's memory. One event of any
   * size still goes out to a client that keeps up. Default 1 MiB.
   */
  maxStreamBacklogBytes?: number;
  /** The SSE `retry` hint sent with priming events. */
  retryMs?: number;
  /** Keeps legacy SSE events for `Last-Event-ID` resumption. Default: in memory. */
  eventStore?: EventStore;
  /**
   * Shares legacy sessions between nodes (`RedisSessionStore` from mcpkit/redis, with a shared
   * `eventStore`): any node serves any request of a session, idle expiry and DELETE hold
   * everywhere. Default: sessions live on the node that opened them.
   */
  sessionStore?: SessionStore;
  /**
   * With `sessionStore`: how nodes relay to each other what a client sent to one node for a
   * request another runs (answers to server-to-client requests, cancellations), unsolicited
   * messages for a GET stream another node holds, and DELETE (`RedisBus` from mcpkit/redis).
   */
  bus?: Bus;
  /**
   * Authenticates every request before it is served (`mcpkit/auth`: `bearerAuth(...)`); handlers
   * read the caller as `ctx.auth`, and legacy sessions, tasks and MRTR state belong to it.
   */
  auth?: RequestAuthenticator;
}

export interface StreamableHttpHandler extends CoreHandler {
  /** Ends every legacy session. */
  close(): Promise<void>;
  readonly sessionCount: number;
  /** Each bound's use now, for readiness (`mcpkit/health`): sessions, streams, requests in flight. */
  readonly load: Readonly<Record<'sessions' | 'streams' | 'requests', { used: number; max: number }>>;
}

/** Legacy requests that change what a shared session store keeps, and are safe to send again. */
const STATE_METHODS = new Set(['resources/subscribe', 'resources/unsubscribe', 'logging/setLevel']);

/**
 * How long a resumed stream of a shared session remembers the ids it sent: copies of one event
 * recorded by several nodes reach it within moments of each other.
 */
const CARRIED_MS = 10_000;

/** What nodes sharing a session tell each other on its bus channel. */
type Relayed =
  | { t: 'in'; frame: string }
  | { t: 'out'; frame: string; eventId?: string }
  | { t: 'state'; state: SessionState }
  | { t: 'end' };

/** What a legacy POST carried, as the handler read it. */
interface Posted {
  request: HttpInput;
  messages: JsonRpcMessage[];
  decoded: Decoded;
  /** The ids of its requests (not of its notifications or answers). */
  ids: RequestId[];
  sseAllowed: boolean;
  client: string;
  principal: Principal | undefined;
  headerVersion: string | null;
}

function ignore(): void {}

/** 404: the client must initialize again (2025-11-25 transports, "Session Management"). */
function sessionNotFound(): HttpError {
  return new NotFound(
    'Session not found: it was deleted, expired after sessionIdleMs, or made room for another (maxSessions, maxSessionsPerClient)',
  );
}

/**
 * The Streamable HTTP endpoint as a web-standard handler, for both eras: modern requests are served
 * statelessly, one connection per POST; legacy clients get sessions (`Mcp-Session-Id`), the GET
 * stream, server-to-client requests and resumability. Bounds and DNS-rebinding checks are on by
 * default.
 */
export function createStreamableHttpHandler(
  mcpServer: McpServer,
  options: StreamableHttpOptions = {},
): StreamableHttpHandler {
  const server: ServerRuntime = runtimeOf(mcpServer);
  const events = options.eventStore ?? new InMemoryEventStore();
  const store = options.sessionStore;
  const idleMs = options.sessionIdleMs ?? 5 * 60_000;
  // Stream ids of a shared session must not collide between nodes.
  const nodeId = crypto.randomUUID().slice(0, 8);
  const streamPrefix = store ? `p${nodeId}-` : 'p';
  const bus = store ? options.bus : undefined;
  const restoring = new Map<string, Promise<Session>>();
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // The server's own bounds, with the body limit where it is the stricter: one decode serves both.
  const limits = bodyDecodeLimits(server.decodeLimits, maxBody);
  const retryAfter = options.retryAfterSeconds ?? 1;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const maxBacklogBytes = options.maxStreamBacklogBytes;
  const overflowed = (details: Record<string, unknown>) =>
    server.logger.warn(
      { ...details, option: 'maxStreamBacklogBytes' },
      'SSE stream ended: its client read too slowly',
    );
  // POST streams share one (an exchange is made per request); GET streams say whose they were.
  const onOverflow = (backlogBytes: number) => overflowed({ backlogBytes });
  const stepUp = options.auth?.insufficientScope?.bind(options.auth);
  const sessions = new SessionTable({
    maxSessions: options.maxSessions ?? 10_000,
    maxSessionsPerClient: options.maxSessionsPerClient ?? 100,
    idleMs,
    retryAfterSeconds: retryAfter,
  });
  const streams = new Quota({
    max: options.maxOpenStreams ?? 1000,
    perClient: options.maxStreamsPerClient ?? 100,
    maxOption: 'maxOpenStreams',
    perClientOption: 'maxStreamsPerClient',
  });
  const requests = new Quota({
    max: options.maxConcurrentRequests ?? 1024,
    perClient: options.maxConcurrentRequestsPerClient ?? 256,
    maxOption: 'maxConcurrentRequests',
    perClientOption: 'maxConcurrentRequestsPerClient',
  });

  /** Takes a slot of `quota` for `client`; the returned function gives it back (once). */
  function hold(quota: Quota, client: string, what: string): () => void {
    const refusal = quota.acquire(client);
    if (refusal) throw new Overloaded(refusal, what, retryAfter);
    let held = true;
    return () => {
      if (held) quota.release(client);
      held = false;
    };
  }

  async function post(request: HttpInput, client: string, principal?: Principal): Promise<HttpAnswer> {
    const contentType = request.headers.get('content-type') ?? '';
    if (!/^application\/json\b/i.test(contentType)) throw new UnsupportedMediaType();
    const accept = request.headers.get('accept') ?? '*/*';
    const sseAllowed = /text\/event-stream|\*\/\*/i.test(accept);
    if (!sseAllowed && !/application\/json|application\/\*/i.test(accept)) {
      throw new NotAcceptable('application/json and text/event-stream');
    }
    const text = await readBody(request, maxBody);
    const decoded = decode(text, limits);
    if (decoded.kind === 'invalid') {
      // Unparseable or malformed JSON-RPC: 400 with the JSON-RPC error that says which.
      return jsonAnswer(400, decoded.error);
    }
    const messages = messagesOf(decoded);
    const first = messages[0];
    if (first === undefined) {
      // A batch of nothing but invalid items: each gets its JSON-RPC error, and nothing runs.
      const errors =
        decoded.kind === 'batch' ? decoded.items.flatMap((i) => ('invalid' in i ? [i.invalid] : [])) : [];
      return jsonAnswer(400, errors);
    }
    const method = 'method' in first ? first.method : undefined;
    const version = (first as { params?: { _meta?: Record<string, unknown> } }).params?._meta?.[
      META.protocolVersion
    ];
    const headerVersion = request.headers.get('mcp-protocol-version');
    const id =
      'id' in first && (typeof first.id === 'string' || typeof first.id === 'number') ? first.id : null;
    // Modern: the body names its version in _meta, or the header names a version past the legacy ones.
    const isModern = requestEra(version, headerVersion) === 'modern';
    try {
      if (decoded.kind === 'message' && method !== undefined && isModern) {
        return await modern(
          request,
          first as JsonRpcMessage & { method: string },
          version,
          sseAllowed,
          client,
          principal,
        );
      }
      return await legacy(request, messages, decoded, sseAllowed, client, principal);
    } catch (error) {
      // Every error answer carries the id of the request it refuses.
      if (error instanceof HttpError) return error.toAnswer(id);
      throw error;
    }
  }

  /** Not async: what it refuses at once is an answer, and the rest is the exchange's promise. */
  function modern(
    request: HttpInput,
    message: JsonRpcMessage & { method: string },
    version: unknown,
    sseAllowed: boolean,
    client: string,
    principal: Principal | undefined,
  ): HttpAnswer | Promise<HttpAnswer> {
    const id = 'id' in message ? (message.id as RequestId) : null;
    try {
      checkModernHeaders(
        server,
        request,
        message as { method: string; params?: Record<string, any> },
        version,
      );
    } catch (error) {
      if (error instanceof HttpError) return error.toAnswer(id);
      throw error;
    }
    // This revision defines no client notifications over HTTP: accept and drop.
    if (id === null) return answer(202);
    // A listen stream is long-lived: it counts as a stream; anything else as a request in flight.
    const release =
      message.method === 'subscriptions/listen'
        ? hold(streams, client, 'Too many open streams')
        : hold(requests, client, 'Too many requests in flight');
    return oneShot(
      request,
      message as JsonRpcRequest,
      sseAllowed,
      { clientKey: client, principal },
      modernHttpStatus,
      release,
    );
  }

  /**
   * Serves one request with no connection (modern, and stateless legacy): the runtime dispatches
   * the message decoded here, and its answer becomes this POST's JSON body or SSE stream.
   */
  function oneShot(
    request: HttpInput,
    message: JsonRpcRequest,
    sseAllowed: boolean,
    caller: { clientKey: string; principal: Principal | undefined },
    statusOf: ((errorCode: number | undefined) => number) | undefined,
    release: () => void,
    assumeRevision?: LegacyRevision,
  ): Promise<HttpAnswer> {
    const { id } = message;
    let call: OneShotCall | undefined;
    // Options and io of one shape for every request (absent ones undefined): no spreads per request.
    const exchange = new Exchange([id], {
      sseAllowed,
      keepAliveMs,
      maxBacklogBytes,
      onOverflow,
      statusOf,
      stepUp,
      onAbandon: () => call?.cancel('The client closed the response stream'),
      onSettled: release,
    });
    const observed = server.telemetry !== undefined;
    const answer = (response: JsonRpcResponse | undefined) => {
      if (response === undefined) return exchange.drop(id);
      exchange.deliver(
        encodeResponse(response),
        'response',
        id,
        'error' in response ? response.error.code : undefined,
      );
    };
    try {
      call = server.dispatch(message, {
        clientKey: caller.clientKey,
        principal: caller.principal,
        network: observed ? networkOf(request) : undefined,
        headers: observed ? request.headers : undefined,
        notify: (notification) => exchange.deliver(encode(notification), 'notification', id),
        answer,
        assumeRevision,
      });
    } catch {
      // A defect must not keep this request's slot (`onSettled`) for ever: answer it instead.
      answer(errorResponse(id, { code: ErrorCode.InternalError, message: 'Internal error' }));
      return exchange.response;
    }
    request.onAbandon?.(() => exchange.abandon());
    return exchange.response;
  }

  /** Not async: a request in an existing session is answered by its exchange's own promise. */
  function legacy(
    request: HttpInput,
    messages: JsonRpcMessage[],
    decoded: Decoded,
    sseAllowed: boolean,
    client: string,
    principal: Principal | undefined,
  ): HttpAnswer | Promise<HttpAnswer> {
    const batch = decoded.kind === 'batch';
    const mode = options.legacy ?? 'sessions';
    const ids = requestIdsOf(messages);
    const isInit = !batch && 'method' in messages[0]! && messages[0].method === 'initialize';
    if (mode === 'reject') {
      const refusal = new McpError(
        ErrorCode.UnsupportedProtocolVersion,
        'This endpoint serves only the modern era',
        { supported: [...server.modernRevisions], requested: 'legacy' },
      );
      return HttpError.fromMcp(refusal).toAnswer(ids[0] ?? null);
    }
    const headerVersion = request.headers.get('mcp-protocol-version');
    if (!isInit && headerVersion !== null && !isLegacyRevision(headerVersion)) {
      throw new BadRequest(`Bad Request: unsupported MCP-Protocol-Version ${headerVersion}`);
    }
    if (mode === 'stateless') {
      // A missing version header is taken as 2025-03-26 (2025-06-18 transports, "Protocol Version Header").
      const revision = (headerVersion as LegacyRevision | null) ?? DEFAULT_HTTP_REVISION;
      if (ids.length === 0) return answer(202); // notifications have nowhere to go without a session
      if (batch) return statelessBatch(decoded, ids, revision, sseAllowed, client, principal);
      // Refused before anything runs, so that a refusal leaves nothing behind.
      const release = hold(requests, client, 'Too many requests in flight');
      return oneShot(
        request,
        messages[0] as JsonRpcRequest,
        sseAllowed,
        { clientKey: client, principal },
        undefined,
        release,
        revision,
      );
    }
    const posted: Posted = { request, messages, decoded, ids, sseAllowed, client, principal, headerVersion };
    if (isInit) return openSession(posted);
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId === null) throw new BadRequest('Bad Request: the Mcp-Session-Id header is required');
    const session = sessionFor(sessionId, principal);
    return session instanceof Promise
      ? session.then((found) => inSession(found, posted))
      : inSession(session, posted);
  }

  /** `initialize`: a new session, then its first request served in it. */
  async function openSession(posted: Posted): Promise<HttpAnswer> {
    const { client, principal } = posted;
    await sessions.reserve(client);
    const opened = crypto.randomUUID();
    const owner = principalKey(principal);
    const transport = openTransport(opened, client, owner);
    transport.principal = principal;
    if (server.telemetry) transport.network = networkOf(posted.request);
    const session: Session = {
      transport,
      connection: await server.connect(transport),
      client,
      ...(owner ? { owner } : {}),
    };
    try {
      sessions.add(opened, session);
    } catch (error) {
      void transport.close(); // a concurrent initialize took the place reserve() made
      throw error;
    }
    return inSession(session, posted, opened);
  }

  /** Serves what a POST carried in `session`; `opened` is the id of a session this POST opened. */
  function inSession(session: Session, posted: Posted, opened?: string): HttpAnswer | Promise<HttpAnswer> {
    const { decoded, ids, sseAllowed, client, principal, headerVersion } = posted;
    const { transport, connection } = session;
    // The same caller may present a fresher token: handlers see the current one.
    transport.principal = principal;
    if (ids.length === 0) {
      transport.deliver(decoded);
      // Answers and notifications may be for a request another node runs: every copy hears them.
      if (!bus) return answer(202);
      const frame = encode(decoded.kind === 'message' ? decoded.message : messagesOf(decoded));
      return relay(transport.sessionId, { t: 'in', frame }).then(() => answer(202));
    }
    // An id still being answered in this session is refused here, so that its answer still
    // reaches the POST that asked first.
    for (const id of ids) {
      if (transport.exchanges.has(id))
        throw new BadRequest(`Request id ${JSON.stringify(id)} is already in use in this session`);
    }
    const release = hold(requests, client, 'Too many requests in flight');
    const streamId = transport.nextStreamId();
    const resumable = connection.session?.features.icons ?? headerVersion === '2025-11-25';
    // One shape for every legacy POST (absent options undefined): no spreads per request.
    const exchange = new Exchange(ids, {
      sseAllowed,
      batch: decoded.kind === 'batch',
      stepUp,
      headers: opened ? { 'mcp-session-id': opened } : undefined,
      keepAliveMs,
      maxBacklogBytes,
      onOverflow,
      eventId: (frame: string) => transport.record(streamId, frame),
      // Priming events only for clients at 2025-11-25 or later: older ones choke on empty data.
      priming: resumable ? () => transport.record(streamId, '') : undefined,
      retryMs: resumable ? (options.retryMs ?? 1000) : undefined,
      // Legacy era: a disconnect is not a cancellation; the answer waits in the event store.
      onAbandon: ignore,
      keepOnDisconnect: true,
      onSettled: () => {
        release();
        transport.untrack(streamId);
        transport.lastActivity = Date.now();
      },
    });
    for (const id of ids) transport.exchanges.set(id, exchange);
    transport.track(streamId, exchange);
    const savedBefore = transport.saving;
    transport.deliver(decoded);
    // Nothing to store and no session opened: the exchange's answer is the POST's.
    if (!opened && transport.saving === undefined) return exchange.response;
    return answerAfterSave(exchange, session, posted, savedBefore, opened);
  }

  /**
   * A shared session's new state is stored before the client hears back (its next request may
   * reach another node); a session the store never took is not opened at all.
   */
  async function answerAfterSave(
    exchange: Exchange,
    { transport, connection }: Session,
    { messages, decoded, ids }: Posted,
    savedBefore: Promise<void> | undefined,
    opened: string | undefined,
  ): Promise<HttpAnswer> {
    const response = await exchange.response;
    const save = transport.saving;
    const unsaved = save
      ? await save.then(
          () => undefined,
          (error: unknown) => error ?? 'failed',
        )
      : undefined;
    if (opened && connection.session && unsaved !== undefined) {
      void sessions.delete(opened);
      return new StoreUnavailable('The session store', unsaved).toAnswer(ids[0] ?? null);
    }
    // A subscription or level this request set that the store did not take would be unknown to
    // the other nodes: the client is told to send it again (these requests are idempotent).
    const method = decoded.kind !== 'batch' && 'method' in messages[0]! ? messages[0].method : undefined;
    if (unsaved !== undefined && save !== savedBefore && method !== undefined && STATE_METHODS.has(method))
      return new StoreUnavailable('The session store', unsaved).toAnswer(ids[0] ?? null);
    if (opened && !connection.session) {
      // initialize failed: no session was opened after all.
      void sessions.delete(opened);
      const { 'mcp-session-id': _dropped, ...headers } = response.headers;
      return { ...response, headers };
    }
    return response;
  }

  /**
   * A 2025-03-26 batch without a session: the one case that still takes a connection, since the
   * batch's items are answered together (and may depend on the batch policy of the revision).
   */
  async function statelessBatch(
    decoded: Decoded,
    ids: RequestId[],
    revision: LegacyRevision,
    sseAllowed: boolean,
    client: string,
    principal: Principal | undefined,
  ): Promise<HttpAnswer> {
    const release = hold(requests, client, 'Too many requests in flight');
    const transport = new ExchangeTransport(client);
    transport.principal = principal;
    transport.exchange = new Exchange(ids, {
      sseAllowed,
      batch: true,
      onAbandon: () => void transport.close(),
      onSettled: release,
    });
    const connection = await server.connect(transport);
    connection.assumeSession(revision);
    transport.deliver(decoded);
    return transport.exchange.response;
  }

  async function get(request: HttpInput, client: string, principal?: Principal): Promise<HttpAnswer> {
    const sessionId = request.headers.get('mcp-session-id');
    if ((options.legacy ?? 'sessions') !== 'sessions' || sessionId === null) {
      throw new MethodNotAllowed('POST');
    }
    if (!/text\/event-stream|\*\/\*/i.test(request.headers.get('accept') ?? ''))
      throw new NotAcceptable('text/event-stream');
    const { transport } = await sessionFor(sessionId, principal);
    const perSession = options.maxStreamsPerSession ?? 4;
    if (transport.streams.length >= perSession) {
      const refusal = { scope: 'client', option: 'maxStreamsPerSession', limit: perSession } as const;
      throw new Overloaded(refusal, 'Too many streams for this session', retryAfter);
    }
    const release = hold(streams, client, 'Too many open streams');
    const stream = new SseStream({
      onCancel: () => transport.removeStream(stream),
      onEnd: release,
      keepAliveMs,
      maxBacklogBytes,
      onOverflow: (backlogBytes) => overflowed({ backlogBytes, sessionId: transport.sessionId, client }),
    });
    const lastEventId = request.headers.get('last-event-id');
    if (lastEventId) {
      // Replays only the stream the id belongs to, and only within this session.
      let last = lastEventId;
      const replay = () =>
        events.replayAfter(transport.sessionId, last, (id, data) => {
          last = id;
          if (data !== '') stream.replay({ event: 'message', id, data });
        });
      // Shared sessions: other nodes record events while this one replays, and an event recorded
      // by several nodes may also reach this stream live; each id is sent once.
      if (store) stream.carried = new Set();
      const replayed = await replay();
      if (replayed === undefined) {
        stream.close();
        throw new NotFound('Unknown Last-Event-ID for this session');
      }
      // A POST stream still waiting for its answer continues on this GET.
      const exchange = replayed ? transport.resumable.get(replayed) : undefined;
      if (exchange && !exchange.finished) exchange.attach(stream);
      else transport.streams.push(stream);
      if (store) {
        // What was recorded between the replay and the stream taking live events.
        await replay().catch(() => undefined);
        const settle = setTimeout(() => {
          stream.carried = undefined;
        }, CARRIED_MS);
        settle.unref?.();
      }
    } else {
      transport.streams.push(stream);
    }
    return answer(200, stream.body, { ...SSE_HEADERS });
  }

  async function del(request: HttpInput, principal?: Principal): Promise<HttpAnswer> {
    const sessionId = request.headers.get('mcp-session-id');
    if ((options.legacy ?? 'sessions') !== 'sessions' || sessionId === null) {
      throw new MethodNotAllowed('POST');
    }
    await sessionFor(sessionId, principal);
    await sessions.delete(sessionId);
    if (store) {
      // Ended everywhere: other nodes find it gone at their next request, or hear it now.
      await store.delete(sessionId);
      await events.dropSession(sessionId);
      if (bus) await relay(sessionId, { t: 'end' });
    }
    return answer(200);
  }

  /** A session's transport; with a shared store, one that saves every change of its state. */
  function openTransport(sessionId: string, client: string, owner: string | undefined): SessionTransport {
    const transport = new SessionTransport(sessionId, client, events, streamPrefix);
    if (store) {
      transport.shared = true;
      transport.persist = async (state) => {
        await store.save(sessionId, { state, client, ...(owner ? { owner } : {}) }, idleMs);
        // Copies on other nodes (one may hold the GET stream) take the new level and subscriptions.
        if (bus) await relay(sessionId, { t: 'state', state });
      };
    }
    if (bus) {
      transport.relay = (frame, eventId) =>
        void relay(sessionId, { t: 'out', frame, ...(eventId !== undefined ? { eventId } : {}) });
      const subscribed = bus.subscribe(`session:${sessionId}`, (text) => onRelayed(transport, text));
      transport.detach = () => subscribed.then((unsubscribe) => unsubscribe());
    }
    return transport;
  }

  function relay(sessionId: string, message: Relayed): Promise<void> {
    return bus!.publish(`session:${sessionId}`, JSON.stringify({ ...message, from: nodeId })).catch(() => {});
  }

  /** What another node relayed about a session this node also serves. */
  function onRelayed(transport: SessionTransport, text: string): void {
    let message: Relayed & { from?: string };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.from === nodeId) return;
    if (message.t === 'in' && typeof message.frame === 'string') transport.deliverRelayed(message.frame);
    else if (message.t === 'out' && typeof message.frame === 'string')
      transport.pushToStream(message.frame, message.eventId);
    else if (message.t === 'state' && message.state)
      sessions.peek(transport.sessionId)?.connection.restoreSession(message.state);
    else if (message.t === 'end') void sessions.delete(transport.sessionId);
  }

  /**
   * The caller's session. With a shared store, the store decides: it restarts the idle clock,
   * says whether the session still exists (DELETE and expiry on any node), and gives its newest
   * state; a session opened on another node is served here from that state.
   */
  function sessionFor(sessionId: string, principal: Principal | undefined): Session | Promise<Session> {
    // Without a store the session is here or nowhere: no promise to wait on.
    if (!store) return ownSession(sessionId, principal);
    return storedSession(sessionId, principal, store);
  }

  async function storedSession(
    sessionId: string,
    principal: Principal | undefined,
    store: SessionStore,
  ): Promise<Session> {
    let stored: StoredSession | undefined;
    try {
      stored = await store.load(sessionId, idleMs);
    } catch (error) {
      throw new StoreUnavailable('The session store', error);
    }
    const owner = principalKey(principal);
    if (!stored || stored.owner !== owner) {
      if (!stored) void sessions.delete(sessionId);
      throw sessionNotFound();
    }
    const local = sessions.get(sessionId);
    if (local) {
      local.connection.restoreSession(stored.state);
      return local;
    }
    // Concurrent requests of one session restore it once.
    let pending = restoring.get(sessionId);
    if (!pending) {
      pending = restore(sessionId, stored, owner, principal).finally(() => restoring.delete(sessionId));
      restoring.set(sessionId, pending);
    }
    return pending;
  }

  /** Serves here a session another node opened: a connection with the stored state. */
  async function restore(
    sessionId: string,
    stored: StoredSession,
    owner: string | undefined,
    principal: Principal | undefined,
  ): Promise<Session> {
    await sessions.reserve(stored.client);
    const transport = openTransport(sessionId, stored.client, owner);
    transport.principal = principal;
    const connection = await server.connect(transport);
    connection.restoreSession(stored.state);
    const session: Session = { transport, connection, client: stored.client, ...(owner ? { owner } : {}) };
    try {
      sessions.add(sessionId, session);
    } catch (error) {
      void transport.close();
      throw error;
    }
    return session;
  }

  /**
   * A session, for the caller that opened it: to anyone else (another principal, or no principal
   * on a session opened with one) it does not exist, so its id reveals nothing.
   */
  function ownSession(sessionId: string, principal: Principal | undefined): Session {
    const session = sessions.get(sessionId);
    if (!session || session.owner !== principalKey(principal)) throw sessionNotFound();
    return session;
  }

  async function route(request: HttpInput): Promise<HttpAnswer> {
    try {
      checkOrigin(request, options);
      // Without auth, or with a cached token, there is nothing to wait for: no await then.
      const named = identify(request, options.auth, options.clientKey);
      const caller = named instanceof Promise ? await named : named;
      if ('refusal' in caller) return caller.refusal;
      const { client, principal } = caller;
      if (request.method === 'POST') return await post(request, client, principal);
      if (request.method === 'GET') return await get(request, client, principal);
      if (request.method === 'DELETE') return await del(request, principal);
      throw new MethodNotAllowed('GET, POST, DELETE');
    } catch (error) {
      if (error instanceof HttpError) return error.toAnswer();
      return new InternalServerError().toAnswer();
    }
  }

  /**
   * Browsers' requests carry an Origin; only an admitted one gets CORS headers. Not async (one
   * promise less per request), so nothing here may throw: a failure is an answer.
   */
  function serve(request: HttpInput): Promise<HttpAnswer> {
    try {
      const origin = request.headers.get('origin');
      if (origin === null || options.cors === false || !admitsOrigin(origin, options)) return route(request);
      if (request.method !== 'OPTIONS') return route(request).then((answer) => withCors(answer, origin));
      checkOrigin(request, options);
      return Promise.resolve(preflight(origin, request.headers));
    } catch (error) {
      return Promise.resolve(
        error instanceof HttpError ? error.toAnswer() : new InternalServerError().toAnswer(),
      );
    }
  }

  const telemetry = server.telemetry;
  const unobserve = telemetry
    ? [
        telemetry.gauge('mcpkit.server.streams.open', () => streams.size),
        ...(events.stats
          ? [
              telemetry.gauge('mcpkit.event_store.events', () => events.stats!().events),
              telemetry.gauge('mcpkit.event_store.bytes', () => events.stats!().bytes),
            ]
          : []),
      ]
    : [];
  const maxSessions = options.maxSessions ?? 10_000;

  return webHandler(serve, {
    close: () => {
      for (const stop of unobserve) stop();
      return sessions.close();
    },
    get sessionCount() {
      return sessions.size;
    },
    get load() {
      return {
        sessions: { used: sessions.size, max: maxSessions },
        streams: { used: streams.size, max: streams.max },
        requests: { used: requests.size, max: requests.max },
      };
    },
  });
}

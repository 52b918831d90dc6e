import { suggestedDelay } from '../../engine/suggested-delay.js';
import type { NetworkInfo } from '../../engine/telemetry.js';
import type { SendOptions, Transport, TransportSink } from '../../engine/transport.js';
import { ErrorCode } from '../../protocol/errors.js';
import { isModernHttpError } from '../../protocol/http-status.js';
import { isRecord } from '../../protocol/is-record.js';
import type { RequestId } from '../../protocol/jsonrpc.js';
import {
  encodeHeaderValue,
  type HeaderAnnotation,
  headerAnnotations,
  MCP_NAME_FIELD,
  valueAtPath,
} from '../../protocol/mcp-headers.js';
import { META } from '../../protocol/meta.js';
import { LegacySseClientTransport } from '../legacy-sse/client.js';
import { AnswerTooLarge, DEFAULT_MAX_ANSWER_LENGTH, readTextUpTo } from './bounded-read.js';
import { httpNetwork } from './network.js';
import { describeNetworkError } from './network-error.js';
import { readEvents } from './sse-reader.js';

/** Listed tools whose x-mcp-header annotations the client keeps, and their longest name. */
const MAX_ANNOTATED_TOOLS = 10_000;
const MAX_ANNOTATED_NAME = 1024;

export interface StreamableHttpClientOptions {
  /** Extra headers on every request (authorization, tenant...), or a function that makes them. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** A fetch to use instead of the global one (proxies, tests, instrumentation). */
  fetch?: typeof fetch;
  /**
   * Reconnection of legacy SSE streams. The GET stream keeps trying (`maxReconnects` failures in
   * a row, default unlimited) with exponential backoff and full jitter from `reconnectDelayMs`
   * (default 1 s, or the server's `retry`) up to 30 s, resuming with `Last-Event-ID`; an
   * interrupted POST answer is resumed at most `maxReconnects` times (default 3).
   */
  maxReconnects?: number;
  reconnectDelayMs?: number;
  /**
   * Authorization (OAuth: `OAuthClient` from mcpkit/auth): headers for every request, and what to do
   * when the server answers 401 or 403.
   */
  authorization?: HttpAuthorization;
  /** Called when a listed tool is dropped for invalid `x-mcp-header` annotations. */
  onInvalidTool?: (name: string, reason: string) => void;
  /**
   * The longest answer read, in characters: a JSON body, an SSE line or event. A server that sends
   * more fails the request it answers (or ends the stream) instead of filling memory. Default 10 Mi,
   * the limit a peer decodes.
   */
  maxMessageLength?: number;
}

/** A refusal the server answered with: its status, its `WWW-Authenticate` header, the resource's URL. */
export interface AuthChallenge {
  status: number;
  wwwAuthenticate: string | null;
  resourceUrl: string;
  /** The `DPoP-Nonce` header (RFC 9449 section 9): the nonce the server wants in the next proof. */
  dpopNonce?: string | null;
}

/** What the transport asks of an authorization (mcpkit/auth's `OAuthClient` is one). */
export interface HttpAuthorization {
  /**
   * Headers for the next request, such as `Authorization: Bearer <token>` once a token is held.
   * `request` is what a proof of possession signs (DPoP, RFC 9449): the method and the URL.
   */
  headers(request?: { method: string; url: string }): Promise<Record<string, string>>;
  /**
   * The server refused the request (401, or 403 with a challenge): obtain, refresh or step up the
   * token. True: send the request again; false: the refusal stands. A throw fails the request.
   */
  unauthorized(challenge: AuthChallenge): Promise<boolean>;
}

/** Authorization rounds for one message: a token, then at most two step-ups. */
const MAX_AUTH_ATTEMPTS = 3;

type Message = {
  id?: RequestId;
  method?: string;
  params?: Record<string, any>;
  result?: Record<string, any>;
  error?: unknown;
};

/** `Retry-After` (seconds, or an HTTP date) as the `retryAfterMs` a -32005 error carries. */
function retryAfterOf(header: string | null): { retryAfterMs?: number } {
  if (!header) return {};
  const seconds = /^\d+$/.test(header.trim()) ? Number(header) : (Date.parse(header) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? { retryAfterMs: Math.max(0, Math.round(seconds * 1000)) } : {};
}

/** What a 401 or 403 says: the error description of its body and where the server's metadata is. */
function authorizationFailure(response: Response, text: string): string {
  let description: string | undefined;
  try {
    const body = JSON.parse(text) as { error_description?: unknown; error?: unknown };
    description = String(body.error_description ?? body.error ?? '') || undefined;
  } catch {
    description = undefined;
  }
  const challenge = response.headers.get('www-authenticate') ?? '';
  const metadata = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
  const scope = /scope="([^"]+)"/.exec(challenge)?.[1];
  const what = response.status === 401 ? 'Unauthorized' : 'Forbidden';
  return `HTTP ${response.status} ${what}: ${description ?? 'the server refused the credentials'}${
    scope ? `; scope needed: ${scope}` : ''
  }${metadata ? ` (resource metadata: ${metadata})` : ''}`;
}

/** A body a modern server sends with 400/404: a JSON-RPC error with a modern code. */
function isModernError(text: string): boolean {
  try {
    return isModernHttpError((JSON.parse(text) as { error?: { code?: number } }).error?.code);
  } catch {
    return false;
  }
}

/** A W3C `traceparent` (version, trace id, parent id, flags). */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Streamable HTTP, client side, for both eras. It reads what it sends: a modern request gets the
 * mirrored `MCP-Protocol-Version`/`Mcp-Method`/`Mcp-Name`/`Mcp-Param-*` headers, a legacy one the
 * session id and negotiated version; so the Client above stays era-blind.
 */
export class StreamableHttpClientTransport implements Transport {
  private sink?: TransportSink;
  /** The legacy session the server opened (`Mcp-Session-Id`), once it has. */
  sessionId?: string;
  private protocolVersion?: string;
  private readonly modernInFlight = new Map<RequestId, AbortController>();
  /** The x-mcp-header annotations of listed tools that have some, by name (bounded: see rememberHeaders). */
  private readonly toolHeaders = new Map<string, HeaderAnnotation[]>();
  private readonly pendingMethods = new Map<RequestId, string>();
  private readonly streams = new Set<AbortController>();
  private closed = false;
  private readonly fetchImpl: typeof fetch;
  /** `maxMessageLength`: the longest answer read. */
  private readonly maxLength: number;
  /** Set when the server turned out to speak only the 2024-11-05 HTTP+SSE transport. */
  private fallback?: LegacySseClientTransport;
  private probedFallback = false;
  /** The legacy handshake as sent, replayed to open a new session when the old one is gone. */
  private initializeFrame?: string;
  private reinitialized = 0;
  /** The server's address and port, for telemetry (`server.address`, `server.port`). */
  readonly network: NetworkInfo;

  constructor(
    readonly url: URL | string,
    private readonly options: StreamableHttpClientOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.network = httpNetwork(url);
    this.maxLength = options.maxMessageLength ?? DEFAULT_MAX_ANSWER_LENGTH;
  }

  async start(sink: TransportSink): Promise<void> {
    this.sink = sink;
    this.closed = false;
  }

  /** The user's headers and the authorization's, for every request this transport makes. */
  private async extraHeaders(method: string): Promise<Record<string, string>> {
    const own =
      typeof this.options.headers === 'function' ? await this.options.headers() : this.options.headers;
    const auth = await this.options.authorization?.headers({ method, url: String(this.url) });
    return auth ? { ...own, ...auth } : { ...own };
  }

  send(frame: string, options?: SendOptions): Promise<void> {
    return this.post(frame, options, 0);
  }

  private async post(frame: string, options: SendOptions | undefined, authAttempts: number): Promise<void> {
    if (this.closed) throw new Error('The transport is closed');
    if (this.fallback) return this.fallback.send(frame, options);
    // The Peer hands over the message it encoded; only a frame from elsewhere is parsed.
    const message = (options?.message ?? JSON.parse(frame)) as Message;
    const modern = message.params?._meta?.[META.protocolVersion] as string | undefined;
    if (message.method === 'notifications/cancelled') {
      // 2026-07-28: closing the response stream is the cancellation; nothing is posted.
      const controller = this.modernInFlight.get(message.params?.requestId);
      if (controller) return controller.abort();
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(await this.extraHeaders('POST')),
    };
    if (modern !== undefined && message.method) {
      headers['mcp-protocol-version'] = modern;
      headers['mcp-method'] = message.method;
      const field = MCP_NAME_FIELD[message.method];
      if (field && typeof message.params?.[field] === 'string')
        headers['mcp-name'] = encodeHeaderValue(message.params[field]);
      if (message.method === 'tools/call') {
        for (const a of this.toolHeaders.get(message.params?.name) ?? []) {
          const value = valueAtPath(message.params?.arguments, a.path);
          if (value !== undefined && value !== null)
            headers[`mcp-param-${a.name}`] = encodeHeaderValue(String(value));
        }
      }
    } else {
      if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
      if (this.protocolVersion) headers['mcp-protocol-version'] = this.protocolVersion;
    }
    // Trace context rides in _meta (telemetry put it there); HTTP hops in between see it too, when
    // it is well formed and within the W3C sizes (a larger header would fail the whole request).
    const traceparent = message.params?._meta?.traceparent;
    if (typeof traceparent === 'string' && TRACEPARENT.test(traceparent)) {
      headers.traceparent = traceparent;
      const { tracestate, baggage } = message.params!._meta!;
      if (typeof tracestate === 'string' && tracestate.length <= 512) headers.tracestate = tracestate;
      if (typeof baggage === 'string' && baggage.length <= 8192) headers.baggage = baggage;
    }
    const isRequest = message.method !== undefined && message.id !== undefined;
    const controller = new AbortController();
    if (isRequest) {
      this.pendingMethods.set(message.id!, message.method!);
      if (modern !== undefined) this.modernInFlight.set(message.id!, controller);
    }
    let response: Response;
    try {
      response = await this.fetchImpl(this.url, {
        method: 'POST',
        headers,
        body: frame,
        signal: controller.signal,
      });
    } catch (error) {
      this.forget(message.id);
      if (controller.signal.aborted) return;
      if (isRequest)
        this.fail(message.id!, `Cannot reach ${String(this.url)}: ${describeNetworkError(error)}`);
      return;
    }
    if ((response.status === 401 || response.status === 403) && this.options.authorization) {
      // Get a token (or a better one) and send the message again, a bounded number of times.
      const challenge = {
        status: response.status,
        wwwAuthenticate: response.headers.get('www-authenticate'),
        resourceUrl: String(this.url),
        dpopNonce: response.headers.get('dpop-nonce'),
      } as const;
      if (authAttempts < MAX_AUTH_ATTEMPTS) {
        const retry = await this.options.authorization.unauthorized(challenge).catch((error: Error) => {
          if (isRequest) this.fail(message.id!, `Authorization failed: ${error.message}`);
          return undefined;
        });
        if (retry === undefined) {
          this.forget(message.id);
          await response.body?.cancel();
          return;
        }
        if (retry) {
          this.forget(message.id);
          await response.body?.cancel();
          return this.post(frame, options, authAttempts + 1);
        }
      }
    }
    if ((response.status === 401 || response.status === 403) && isRequest) {
      const text = await this.textOf(response, message.id);
      // A JSON-RPC error body (a refused Origin, say) is the answer itself; an OAuth one is not.
      if (!text.includes('"jsonrpc"')) {
        this.forget(message.id);
        this.fail(message.id!, authorizationFailure(response, text));
        return;
      }
      this.receive(text, message.id);
      return;
    }
    const session = response.headers.get('mcp-session-id');
    if (session) this.sessionId = session;
    if (message.method === 'initialize') this.initializeFrame = frame;
    // A legacy session the server no longer knows: start a new one and send the message again
    // (2025-11-25 transports, "Session Management": the client MUST re-initialize on 404).
    if (
      response.status === 404 &&
      modern === undefined &&
      this.sessionId &&
      message.method !== 'initialize' &&
      this.initializeFrame
    ) {
      await response.body?.cancel();
      if (await this.reinitialize()) return this.send(frame, options);
    }
    if (!this.probedFallback && [400, 404, 405].includes(response.status)) {
      this.probedFallback = true;
      const text = await this.textOf(response, message.id);
      if (!isModernError(text) && (await this.tryLegacySse(frame))) return;
      if (text && (response.headers.get('content-type') ?? '').includes('application/json'))
        this.receive(text, isRequest ? message.id : undefined);
      else if (isRequest) this.fail(message.id!, `HTTP ${response.status} ${response.statusText}`);
      return;
    }
    this.probedFallback = true;
    if (response.status === 202) {
      await response.body?.cancel();
      if (message.method === 'notifications/initialized') void this.openGetStream();
      return;
    }
    void this.consume(response, message, controller).finally(() => this.forget(message.id));
  }

  /**
   * Backward compatibility (2026-07-28 transports): a POST refused with 400/404/405 and no modern
   * error may mean a 2024-11-05 server; its GET opens an SSE stream that starts with `endpoint`.
   */
  private async tryLegacySse(frame: string): Promise<boolean> {
    const headers = await this.extraHeaders('GET');
    const legacy = new LegacySseClientTransport(this.url, {
      ...(headers ? { headers } : {}),
      fetch: this.fetchImpl,
      maxMessageLength: this.maxLength,
    });
    try {
      await legacy.start(this.sink!);
    } catch {
      return false;
    }
    this.fallback = legacy;
    await legacy.send(frame);
    return true;
  }

  private async reinitialize(): Promise<boolean> {
    if (this.reinitialized++ > 3) return false;
    this.sessionId = undefined;
    const init = {
      ...(JSON.parse(this.initializeFrame!) as Message),
      id: `mcpkit-reinitialize-${this.reinitialized}`,
    };
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(await this.extraHeaders('POST')),
    };
    try {
      const response = await this.fetchImpl(this.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(init),
      });
      await readTextUpTo(response, this.maxLength);
      const session = response.headers.get('mcp-session-id');
      if (!response.ok || !session) return false;
      this.sessionId = session;
      const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };
      const ack = await this.fetchImpl(this.url, {
        method: 'POST',
        headers: {
          ...headers,
          'mcp-session-id': session,
          ...(this.protocolVersion ? { 'mcp-protocol-version': this.protocolVersion } : {}),
        },
        body: JSON.stringify(initialized),
      });
      await ack.body?.cancel();
      return ack.ok;
    } catch {
      return false;
    }
  }

  /** A refusal's body, within `maxMessageLength`; past it the request fails with that error. */
  private async textOf(response: Response, id: RequestId | undefined): Promise<string> {
    try {
      return await readTextUpTo(response, this.maxLength);
    } catch (error) {
      this.forget(id);
      throw error;
    }
  }

  private forget(id: RequestId | undefined): void {
    if (id === undefined) return;
    this.modernInFlight.delete(id);
  }

  /** Reads one POST's answer: JSON, an SSE stream, or an HTTP error turned into a JSON-RPC one. */
  private async consume(response: Response, message: Message, controller: AbortController): Promise<void> {
    const type = response.headers.get('content-type') ?? '';
    try {
      if (type.includes('text/event-stream') && response.body) {
        const done = await this.readStream(response.body, message.id);
        // A legacy stream that ended before its answer resumes on a GET (2025-11-25 resumability).
        if (!done.answered && done.lastEventId && message.id !== undefined && !controller.signal.aborted) {
          await this.resume(done.lastEventId, done.retryMs, message.id);
        }
        return;
      }
      const text = await readTextUpTo(response, this.maxLength);
      if (type.includes('application/json') && text) {
        this.receive(text, response.ok ? undefined : message.id);
        return;
      }
      if (
        message.id !== undefined &&
        message.method &&
        (response.status === 429 || response.status === 503)
      ) {
        // Busy or limiting, without a JSON-RPC body: the same error a JSON one carries, with the wait.
        this.fail(message.id, `HTTP ${response.status} ${response.statusText}`, ErrorCode.Overloaded, {
          scope: response.status === 429 ? 'client' : 'server',
          ...retryAfterOf(response.headers.get('retry-after')),
        });
        return;
      }
      if (message.id !== undefined && message.method) {
        const expired =
          response.status === 404 &&
          this.sessionId !== undefined &&
          message.params?._meta?.[META.protocolVersion] === undefined;
        this.fail(
          message.id,
          expired
            ? 'The MCP session expired or is unknown to the server (HTTP 404)'
            : `HTTP ${response.status} ${response.statusText}`,
        );
      }
    } catch (error) {
      if (!controller.signal.aborted && message.id !== undefined)
        this.fail(
          message.id,
          error instanceof AnswerTooLarge
            ? error.message
            : `The response stream broke: ${(error as Error).message}`,
        );
    }
  }

  private async readStream(body: ReadableStream<Uint8Array>, answerId: RequestId | undefined) {
    let answered = false;
    let lastEventId: string | undefined;
    let retryMs: number | undefined;
    for await (const event of readEvents(body, this.maxLength)) {
      if (event.id !== undefined) lastEventId = event.id;
      if (event.retry !== undefined) retryMs = event.retry;
      if (!event.data) continue; // a priming event
      this.receive(event.data);
      if (
        answerId !== undefined &&
        event.data.includes(`"id":${JSON.stringify(answerId)}`) &&
        !event.data.includes('"method"')
      )
        answered = true;
    }
    return { answered, lastEventId, retryMs };
  }

  /**
   * The wait before reconnecting: the server's `retry`, bounded (a stream that ends at once with
   * `retry: 0` would be a reconnect loop); else the caller's own `reconnectDelayMs`, as given.
   */
  private reconnectDelay(serverRetryMs: number | undefined): number {
    if (serverRetryMs === undefined) return this.options.reconnectDelayMs ?? 1000;
    return suggestedDelay(serverRetryMs);
  }

  private async resume(lastEventId: string, retryMs: number | undefined, answerId: RequestId): Promise<void> {
    for (let attempt = 0; attempt < (this.options.maxReconnects ?? 3) && !this.closed; attempt++) {
      await new Promise((r) => setTimeout(r, this.reconnectDelay(retryMs)));
      const response = await this.get(lastEventId).catch(() => undefined);
      if (!response?.ok || !response.body) continue;
      const done = await this.readStream(response.body, answerId);
      if (done.answered) return;
      if (done.lastEventId) lastEventId = done.lastEventId;
    }
    this.fail(answerId, 'The response stream ended and could not be resumed');
  }

  private async get(lastEventId?: string): Promise<Response> {
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      ...(await this.extraHeaders('GET')),
      ...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}),
      ...(this.protocolVersion ? { 'mcp-protocol-version': this.protocolVersion } : {}),
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    };
    const controller = new AbortController();
    this.streams.add(controller);
    return this.fetchImpl(this.url, { method: 'GET', headers, signal: controller.signal });
  }

  /** The legacy standalone stream for unsolicited messages; reconnects with Last-Event-ID. */
  private async openGetStream(): Promise<void> {
    let lastEventId: string | undefined;
    let retryMs: number | undefined;
    const limit = this.options.maxReconnects ?? Number.POSITIVE_INFINITY;
    for (let failures = 0; !this.closed && failures <= limit; ) {
      const response = await this.get(lastEventId).catch(() => undefined);
      // No GET stream here (405), or none for this session any more (404, 400): nothing to retry.
      if (response && [400, 404, 405].includes(response.status)) {
        await response.body?.cancel();
        return;
      }
      if (!response?.ok || !response.body) {
        await response?.body?.cancel();
        failures++;
      } else {
        failures = 0;
        try {
          for await (const event of readEvents(response.body, this.maxLength)) {
            if (event.id !== undefined) lastEventId = event.id;
            if (event.retry !== undefined) retryMs = event.retry;
            if (event.data) this.receive(event.data);
          }
        } catch {
          failures++;
        }
      }
      if (this.closed) return;
      // The server's retry after a clean end; after failures, backoff with full jitter.
      const base = this.reconnectDelay(retryMs);
      const delay =
        failures === 0 ? base : Math.max(base, Math.random() * Math.min(30_000, base * 2 ** failures));
      // Unref'd: a stream waiting to reconnect does not keep the process alive.
      await new Promise((r) => (setTimeout(r, delay) as { unref?: () => void }).unref?.());
    }
  }

  /**
   * Learns what later requests need (negotiated version, tool headers) from answers, then delivers
   * them. `inReplyTo`: the id of the request an HTTP error reply answers; servers that cannot tell
   * which request failed (official SDK servers: "Server not initialized") send `"id": null`, and
   * that error still belongs to the request, which must fail now rather than time out.
   */
  private receive(text: string, inReplyTo?: RequestId): void {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      message = undefined as never;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      // Not one message: a batch, or something the peer will answer as invalid.
      if (inReplyTo !== undefined && !Array.isArray(message))
        this.fail(inReplyTo, `The server answered with an unreadable body: ${text.slice(0, 200)}`);
      else this.sink?.onFrame(text);
      return;
    }
    if (
      inReplyTo !== undefined &&
      message.error !== undefined &&
      message.method === undefined &&
      message.id == null
    ) {
      message = { ...message, id: inReplyTo };
      text = JSON.stringify(message);
    }
    const method =
      message.id !== undefined && !message.method ? this.pendingMethods.get(message.id) : undefined;
    if (method) this.pendingMethods.delete(message.id!);
    if (method === 'initialize' && typeof message.result?.protocolVersion === 'string')
      this.protocolVersion = message.result.protocolVersion;
    if (method === 'tools/list' && Array.isArray(message.result?.tools)) {
      const kept = message.result.tools.filter((tool: unknown) => {
        // Not a tool (null, a string, no name): nothing to call, nothing to learn.
        if (!isRecord(tool) || typeof tool.name !== 'string') return false;
        try {
          this.rememberHeaders(
            tool.name,
            headerAnnotations((tool.inputSchema ?? {}) as Record<string, unknown>),
          );
          return true;
        } catch (error) {
          // 2026-07-28: a tool with invalid x-mcp-header annotations is left out of the list.
          this.options.onInvalidTool?.(tool.name, (error as Error).message);
          return false;
        }
      });
      if (kept.length !== message.result.tools.length) {
        this.sink?.onFrame(JSON.stringify({ ...message, result: { ...message.result, tools: kept } }));
        return;
      }
    }
    this.sink?.onFrame(text);
  }

  private fail(
    id: RequestId,
    message: string,
    code: number = ErrorCode.ConnectionClosed,
    data?: unknown,
  ): void {
    this.pendingMethods.delete(id);
    this.sink?.onFrame(
      JSON.stringify({
        jsonrpc: '2.0',
        id,
        error: { code, message, ...(data !== undefined ? { data } : {}) },
      }),
    );
  }

  /**
   * Keeps what a listed tool's calls must send as headers. A server names its tools, and listing
   * after listing could name new ones without end: only tools with annotations are kept, names of
   * at most 1,024 characters, the 10,000 most recently listed.
   */
  private rememberHeaders(name: string, annotations: HeaderAnnotation[]): void {
    this.toolHeaders.delete(name);
    if (annotations.length === 0 || name.length > MAX_ANNOTATED_NAME) return;
    if (this.toolHeaders.size >= MAX_ANNOTATED_TOOLS)
      this.toolHeaders.delete(this.toolHeaders.keys().next().value as string);
    this.toolHeaders.set(name, annotations);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.fallback) return this.fallback.close();
    for (const c of this.modernInFlight.values()) c.abort();
    for (const c of this.streams) c.abort();
    if (this.sessionId) {
      // Ends the legacy session on the server; a server that does not allow it answers 405.
      await this.fetchImpl(this.url, {
        method: 'DELETE',
        headers: {
          ...(await this.extraHeaders('DELETE')),
          'mcp-session-id': this.sessionId,
        },
      }).catch(() => {});
    }
    this.sink?.onClose();
  }
}

import { type Principal, principalKey } from '../../engine/principal.js';
import { Quota, type QuotaRefusal } from '../../engine/quota.js';
import type { SendOptions } from '../../engine/transport.js';
import { type Decoded, decode, messagesOf, type RequestId, requestIdsOf } from '../../protocol/jsonrpc.js';
import { type McpServer, runtimeOf } from '../../server/mcp-server.js';
import { bodyDecodeLimits, DEFAULT_MAX_BODY_BYTES, readBody } from '../streamable-http/body.js';
import {
  answer,
  type ClientKey,
  type HttpAnswer,
  type HttpInput,
  networkOf,
  type RequestAuthenticator,
  webHandler,
} from '../streamable-http/http-core.js';
import {
  HttpError,
  InternalServerError,
  MethodNotAllowed,
  NotAcceptable,
  NotFound,
  Overloaded,
  UnsupportedMediaType,
} from '../streamable-http/http-error.js';
import { HttpTransport } from '../streamable-http/http-transports.js';
import { identify } from '../streamable-http/identify.js';
import { checkOrigin, type OriginPolicy } from '../streamable-http/security.js';
import { SSE_HEADERS, SseStream } from '../streamable-http/sse.js';

export interface LegacySseOptions extends OriginPolicy {
  /** Where clients POST their messages; the `endpoint` event names it. */
  messagesPath?: string;
  /** Default 4 MiB. */
  maxBodyBytes?: number;
  /** Sessions (each an open event stream) at once. Default 10,000. */
  maxSessions?: number;
  /** Sessions one client may hold. Default 100. */
  maxSessionsPerClient?: number;
  keepAliveMs?: number;
  /**
   * Bytes of events a session's stream may hold that its client has not read yet; past it, once
   * the client has read nothing for 5 s (at once past 16 times it), the session ends, so a client
   * that stops reading cannot grow the server's memory. Default 1 MiB.
   */
  maxStreamBacklogBytes?: number;
  /** Requests being served at once, every session together. Default 1,024. */
  maxConcurrentRequests?: number;
  /** Requests one client may have in flight at once, over all its sessions. Default 256. */
  maxConcurrentRequestsPerClient?: number;
  /** Who a request comes from, for the per-client bound. Default: the remote address. */
  clientKey?: ClientKey;
  /** Authenticates the stream and every message (`mcpkit/auth`); a session belongs to its opener. */
  auth?: RequestAuthenticator;
}

/**
 * One 2024-11-05 session: the GET event stream carries everything the server sends. Each request
 * its client sends holds a place under the handler's request bounds until it is answered or
 * cancelled (the POST itself is answered 202 at once, so the POST cannot hold it).
 */
class SseSessionTransport extends HttpTransport {
  /** Single requests in flight that hold a place. */
  private readonly holding = new Set<RequestId>();
  /** Batches in flight, by their first request's id (the one their answer names): their places. */
  private readonly batches = new Map<RequestId, number>();

  constructor(
    readonly stream: SseStream,
    clientKey: string,
    private readonly requests: Quota,
  ) {
    super(clientKey);
  }

  /** Takes a place for every request a POST carries, or none when one is refused. */
  admit(decoded: Decoded): QuotaRefusal | undefined {
    const ids = requestIdsOf(messagesOf(decoded));
    const first = ids[0];
    // An id already in flight takes none: the server refuses it with an answer of that id.
    if (first === undefined || (decoded.kind === 'message' && this.holding.has(first))) return undefined;
    for (let i = 0; i < ids.length; i++) {
      const refusal = this.requests.acquire(this.clientKey);
      if (refusal) {
        for (let j = 0; j < i; j++) this.requests.release(this.clientKey);
        return refusal;
      }
    }
    if (decoded.kind === 'message') this.holding.add(first);
    else this.batches.set(first, (this.batches.get(first) ?? 0) + ids.length);
    return undefined;
  }

  override deliver(frame: string | Decoded): void {
    // A cancelled request gets no answer: its place is given back here (a batch's, with its answer).
    if (typeof frame !== 'string')
      for (const m of messagesOf(frame))
        if ('method' in m && m.method === 'notifications/cancelled') this.free(m.params?.requestId);
    super.deliver(frame);
  }

  async send(frame: string, options?: SendOptions): Promise<void> {
    // A batch is answered by one frame, refusal or answers, that names its first request.
    if (options?.kind === 'batch') this.freeBatch(options.relatedRequestId);
    else if (options?.kind === 'response') this.free(options.relatedRequestId);
    this.stream.send({ event: 'message', data: frame });
  }

  private free(id: unknown): void {
    if (this.holding.delete(id as RequestId)) this.requests.release(this.clientKey);
  }

  private freeBatch(first: RequestId | undefined): void {
    const held = first === undefined ? undefined : this.batches.get(first);
    if (held === undefined) return;
    this.batches.delete(first!);
    for (let i = 0; i < held; i++) this.requests.release(this.clientKey);
  }

  override async close(): Promise<void> {
    let held = this.holding.size;
    for (const count of this.batches.values()) held += count;
    for (let i = 0; i < held; i++) this.requests.release(this.clientKey);
    this.holding.clear();
    this.batches.clear();
    this.stream.close();
    await super.close();
  }
}

/**
 * The deprecated HTTP+SSE transport of 2024-11-05, for old clients: GET opens an event stream whose
 * first event, `endpoint`, names the URL to POST messages to; answers come back on the stream.
 */
export function createLegacySseHandler(server: McpServer, options: LegacySseOptions = {}) {
  const sessions = new Map<string, SseSessionTransport>();
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const limits = bodyDecodeLimits(runtimeOf(server).decodeLimits, maxBody);
  const requests = new Quota({
    max: options.maxConcurrentRequests ?? 1024,
    perClient: options.maxConcurrentRequestsPerClient ?? 256,
    maxOption: 'maxConcurrentRequests',
    perClientOption: 'maxConcurrentRequestsPerClient',
  });
  const messagesPath = options.messagesPath ?? '/messages';
  const quota = new Quota({
    max: options.maxSessions ?? 10_000,
    perClient: options.maxSessionsPerClient ?? 100,
    maxOption: 'maxSessions',
    perClientOption: 'maxSessionsPerClient',
  });

  async function open(
    request: HttpInput,
    client: string,
    principal: Principal | undefined,
  ): Promise<HttpAnswer> {
    if (!/text\/event-stream|\*\/\*/i.test(request.headers.get('accept') ?? '*/*'))
      throw new NotAcceptable('text/event-stream');
    const refusal = quota.acquire(client);
    if (refusal) throw new Overloaded(refusal, 'Too many sessions', 1);
    const id = crypto.randomUUID();
    const stream = new SseStream({
      onCancel: () => {
        const transport = sessions.get(id);
        sessions.delete(id);
        void transport?.close();
      },
      onEnd: () => quota.release(client),
      keepAliveMs: options.keepAliveMs ?? 15_000,
      maxBacklogBytes: options.maxStreamBacklogBytes,
      onOverflow: (backlogBytes) =>
        runtimeOf(server).logger.warn(
          { backlogBytes, sessionId: id, client, option: 'maxStreamBacklogBytes' },
          'SSE session ended: its client read too slowly',
        ),
    });
    const transport = new SseSessionTransport(stream, client, requests);
    transport.principal = principal;
    if (runtimeOf(server).telemetry) transport.network = networkOf(request);
    sessions.set(id, transport);
    await server.connect(transport);
    stream.send({ event: 'endpoint', data: `${messagesPath}?sessionId=${id}` });
    return answer(200, stream.body, { ...SSE_HEADERS });
  }

  async function post(request: HttpInput, principal: Principal | undefined): Promise<HttpAnswer> {
    const id = new URL(request.url, 'http://localhost').searchParams.get('sessionId');
    const transport = id ? sessions.get(id) : undefined;
    // Another principal's session does not exist for this caller.
    if (!transport || principalKey(transport.principal) !== principalKey(principal))
      throw new NotFound('Session not found');
    transport.principal = principal;
    if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? ''))
      throw new UnsupportedMediaType();
    const decoded = decode(await readBody(request, maxBody), limits);
    const refusal = transport.admit(decoded);
    if (refusal) throw new Overloaded(refusal, 'Too many requests in flight', 1);
    transport.deliver(decoded);
    return answer(202, 'Accepted');
  }

  const serve = async (request: HttpInput): Promise<HttpAnswer> => {
    try {
      checkOrigin(request, options);
      const caller = await identify(request, options.auth, options.clientKey);
      if ('refusal' in caller) return caller.refusal;
      const { client, principal } = caller;
      if (request.method === 'GET') return await open(request, client, principal);
      if (request.method === 'POST') return await post(request, principal);
      throw new MethodNotAllowed('GET, POST');
    } catch (error) {
      if (error instanceof HttpError) return error.toAnswer();
      return new InternalServerError().toAnswer();
    }
  };
  return webHandler(serve, {
    async close() {
      await Promise.allSettled([...sessions.values()].map((t) => t.close()));
      sessions.clear();
    },
  });
}

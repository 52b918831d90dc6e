import { ErrorCode, type JsonRpcErrorObject } from '../../protocol/errors.js';
import { errorResponse, type RequestId } from '../../protocol/jsonrpc.js';
import { answer, type HttpAnswer, JSON_TYPE } from './http-core.js';
import { SSE_HEADERS, SseStream } from './sse.js';

export interface ExchangeOptions {
  /** The client accepts text/event-stream, so the answer may become a stream. */
  sseAllowed: boolean;
  /** Always stream (listen requests, or a server configured for SSE). */
  forceSse?: boolean;
  headers?: Record<string, string>;
  keepAliveMs?: number;
  /** Unread bytes past which the stream ends as if the client had gone (`SseStreamOptions`). */
  maxBacklogBytes?: number;
  /** Told when the stream ends because the client read too slowly. */
  onOverflow?: (backlogBytes: number) => void;
  /** HTTP status of a single answer by its error code (modern: 400/404 for some codes). */
  statusOf?: (errorCode: number | undefined) => number;
  /** Stamps SSE events with resumable ids (legacy sessions). */
  eventId?: (frame: string) => Promise<string | undefined>;
  /** The first SSE event: an id and empty data that a client can resume from (2025-11-25). */
  priming?: () => Promise<string | undefined>;
  retryMs?: number;
  /** The client went away before the answer was complete: cancel what it asked. */
  onAbandon: (pending: RequestId[]) => void;
  /**
   * Legacy era: a dropped stream is not a cancellation; the rest of the answer is still recorded
   * (eventId) for a GET with Last-Event-ID to resume.
   */
  keepOnDisconnect?: boolean;
  /** The POST carried a batch: an answer made here is an array. */
  batch?: boolean;
  /** Called once when the exchange is over (answered, failed, finished or abandoned). */
  onSettled?: () => void;
  /**
   * The headers of a 403 step-up challenge for a single answer refused for want of scopes (RBAC's
   * -32003 with `requiredScopes`): the client may ask for those scopes and try again.
   */
  stepUp?: (scopes: string[]) => Record<string, string>;
}

/**
 * The answer to one POST. It stays a single JSON body unless something related to its requests is
 * sent before their responses; then it becomes an SSE stream (2026-07-28: JSON or SSE per request),
 * and closes after the last response.
 */
export class Exchange {
  readonly response: Promise<HttpAnswer>;
  private resolve!: (response: HttpAnswer) => void;
  private stream?: SseStream;
  private readonly waiting: Owed;
  private done = false;
  /** The stream went away but the answer goes on being recorded (legacy resumability). */
  private detached = false;
  /** A chain that keeps SSE writes in order while event ids are assigned (made once streaming). */
  private writes: Promise<void> | undefined;

  constructor(
    /** The requests this POST carried. */
    readonly ids: readonly RequestId[],
    private readonly options: ExchangeOptions,
  ) {
    this.waiting = new Owed(ids);
    this.response = new Promise((resolve) => (this.resolve = resolve));
    if (options.forceSse && options.sseAllowed) this.upgrade();
  }

  get finished(): boolean {
    return this.done;
  }

  /** The single answer's status and extra headers, when its outcome calls for them (a 403 step-up). */
  private override?: { status: number; headers: Record<string, string> };

  /** Answers the next response with `status` and `headers` (if it is still a single JSON body). */
  challenge(status: number, headers: Record<string, string>): void {
    this.override = { status, headers };
  }

  /**
   * A refusal HTTP has a status for; the frame is parsed again only on this rare path. -32003 with
   * `requiredScopes`: 403 with a step-up challenge. -32005: 429 when the caller used up its own
   * share, 503 when the server is busy, with `Retry-After` and the RateLimit headers it names.
   */
  private refusal(frame: string, errorCode: number): void {
    let data: Record<string, unknown> | undefined;
    try {
      data = (JSON.parse(frame) as { error?: { data?: Record<string, unknown> } }).error?.data;
    } catch {
      return;
    }
    if (errorCode === ErrorCode.Forbidden) {
      const scopes = data?.requiredScopes;
      if (this.options.stepUp && Array.isArray(scopes) && scopes.length > 0)
        this.challenge(403, this.options.stepUp(scopes.map(String)));
      return;
    }
    const retryAfterMs = typeof data?.retryAfterMs === 'number' ? data.retryAfterMs : 1000;
    const headers: Record<string, string> = {
      'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
    };
    // Printable ASCII only: a handler's error data must not be able to break the header block.
    const header = (value: unknown) => typeof value === 'string' && /^[\x20-\x7e]{1,512}$/.test(value);
    if (header(data?.rateLimit)) headers.ratelimit = data?.rateLimit as string;
    if (header(data?.rateLimitPolicy)) headers['ratelimit-policy'] = data?.rateLimitPolicy as string;
    this.challenge(data?.scope === 'client' ? 429 : 503, headers);
  }

  /** A message for this exchange: a response (`kind` response/batch) or anything related. */
  deliver(frame: string, kind: string | undefined, id: RequestId | undefined, errorCode?: number): void {
    if (this.done) return;
    const final =
      kind === 'batch' ||
      (kind === 'response' && id !== undefined && this.waiting.take(id) && this.waiting.size === 0);
    if (kind === 'batch') this.waiting.clear();
    if (!this.stream && !this.detached) {
      if (final) {
        this.end();
        if (!this.options.batch && (errorCode === ErrorCode.Forbidden || errorCode === ErrorCode.Overloaded))
          this.refusal(frame, errorCode);
        const status = this.override?.status ?? this.options.statusOf?.(errorCode) ?? 200;
        // A fresh object each time (the node adapter adds content-length to it), spread only when
        // there is more than the content type.
        const headers =
          this.options.headers || this.override
            ? { ...JSON_TYPE, ...this.options.headers, ...this.override?.headers }
            : { 'content-type': JSON_TYPE['content-type'] };
        this.resolve(answer(status, frame, headers));
        return;
      }
      if (!this.options.sseAllowed) return; // a JSON-only client cannot receive related messages
      this.upgrade();
    }
    this.write(frame);
    if (final) this.finish();
  }

  /** Moves the rest of this exchange onto a new stream (a resumed GET). */
  attach(stream: SseStream): void {
    this.stream?.close();
    this.stream = stream;
    this.detached = false;
  }

  /** Ends the answer early: the server closes the stream (polling), or shuts down. */
  finish(): void {
    this.end();
    const stream = this.stream;
    if (stream) this.chain(async () => stream.close());
  }

  /**
   * Answers every request still waiting with `error` and ends the exchange (the session closed or
   * the server is shutting down): a POST never waits for an answer that cannot come.
   */
  fail(error: JsonRpcErrorObject): void {
    if (this.done) return;
    const answers = this.waiting.list().map((id) => errorResponse(id, error));
    this.waiting.clear();
    if (answers.length === 0) {
      this.finish();
      return;
    }
    if (!this.stream && !this.detached) {
      this.deliver(JSON.stringify(this.options.batch ? answers : answers[0]), 'batch', undefined);
      return;
    }
    for (const answer of answers) this.write(JSON.stringify(answer));
    this.finish();
  }

  /** A request that will get no answer (the client cancelled it): once none is left, the POST ends. */
  drop(id: RequestId): void {
    if (this.done || !this.waiting.take(id) || this.waiting.size > 0) return;
    if (!this.stream && !this.detached) {
      this.end();
      this.resolve(answer(202, null, { ...this.options.headers }));
      return;
    }
    this.finish();
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.options.onSettled?.();
  }

  private upgrade(): void {
    const { keepAliveMs, maxBacklogBytes, onOverflow } = this.options;
    const onCancel = () => {
      if (this.stream !== stream || this.done) return;
      if (this.options.keepOnDisconnect) {
        this.stream = undefined;
        this.detached = true;
        return;
      }
      this.end();
      this.options.onAbandon(this.waiting.list());
    };
    const stream = new SseStream({ onCancel, keepAliveMs, maxBacklogBytes, onOverflow });
    this.stream = stream;
    this.resolve(answer(200, stream.body, { ...SSE_HEADERS, ...this.options.headers }));
    const { priming, retryMs } = this.options;
    if (priming) {
      this.chain(async () => {
        const id = await priming();
        if (id !== undefined)
          stream.send({ id, data: '', ...(retryMs !== undefined ? { retry: retryMs } : {}) });
      });
    }
  }

  private write(frame: string): void {
    this.chain(async () => {
      const id = await this.options.eventId?.(frame);
      this.stream?.send({ event: 'message', data: frame, ...(id !== undefined ? { id } : {}) });
    });
  }

  /** Runs `step` after every write queued before it. */
  private chain(step: () => Promise<void>): void {
    this.writes = (this.writes ?? Promise.resolve()).then(step);
  }

  /** The client disconnected while the answer was still JSON-bound. */
  abandon(): void {
    if (this.done) return;
    this.end();
    this.options.onAbandon(this.waiting.list());
  }
}

/**
 * The requests of a POST still owed an answer. Most POSTs carry one: it needs no Set (a Set made
 * and emptied per request costs an allocation and a shrink each time).
 */
class Owed {
  private one: RequestId | undefined;
  private readonly many: Set<RequestId> | undefined;

  constructor(ids: readonly RequestId[]) {
    if (ids.length === 1) this.one = ids[0];
    else this.many = new Set(ids);
  }

  get size(): number {
    return this.many ? this.many.size : this.one === undefined ? 0 : 1;
  }

  /** Removes `id`; false if it was not owed. */
  take(id: RequestId): boolean {
    if (this.many) return this.many.delete(id);
    if (this.one !== id) return false;
    this.one = undefined;
    return true;
  }

  list(): RequestId[] {
    if (this.many) return [...this.many];
    return this.one === undefined ? [] : [this.one];
  }

  clear(): void {
    this.many?.clear();
    this.one = undefined;
  }
}

import { ErrorCode, McpError, toErrorObject } from '../protocol/errors.js';
import {
  type Checked,
  DEFAULT_DECODE_LIMITS,
  type Decoded,
  type DecodeLimits,
  decode,
  encode,
  encodeResponse,
  errorResponse,
  isRequest,
  isResponse,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type RequestId,
} from '../protocol/jsonrpc.js';
import { LazyCancel } from './lazy-cancel.js';
import {
  endSent,
  type Outcome,
  observeSent,
  observeServed,
  rejectServed,
  resolveServed,
  type ServedOperation,
  type Telemetry,
} from './telemetry.js';
import type { SendOptions, Transport, TransportSink } from './transport.js';

/** The longest delay a timer takes as given (2^31 - 1 ms); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /**
   * Milliseconds before the request fails with RequestTimeout and is cancelled at the peer;
   * 0 means no timeout (long-lived requests such as `subscriptions/listen`).
   */
  timeoutMs?: number;
  /** Learns the request's id before it is sent (to correlate notifications that name it). */
  onId?: (id: RequestId) => void;
  /** Progress reports restart the timeout, up to `maxTotalTimeoutMs`. */
  resetTimeoutOnProgress?: boolean;
  /**
   * With `resetTimeoutOnProgress`: the longest the request may take, however often progress
   * arrives (a peer that reports progress for ever would otherwise hold it for ever). Default 10
   * times `timeoutMs`.
   */
  maxTotalTimeoutMs?: number;
  onProgress?: (progress: Progress) => void;
  /** The incoming request on whose behalf this one is sent (server-to-client requests). */
  relatedRequestId?: RequestId;
}

/** What the peer knows about one incoming request while a handler serves it. */
export interface IncomingRequest {
  readonly message: JsonRpcRequest;
  readonly signal: AbortSignal;
  /** The peer cancelled this request (cheaper to read than `signal.aborted`). */
  readonly cancelled: boolean;
  /** Sends a notification tied to this request (progress, logs, listen-stream events). */
  notify(method: string, params?: Record<string, unknown>): Promise<void>;
  /** Telemetry's view of this request, when telemetry is on: events (progress, input) go to it. */
  readonly trace?: ServedOperation | undefined;
  /** Sends a request tied to this one (legacy server-to-client requests). */
  request(
    method: string,
    params: Record<string, unknown> | undefined,
    options?: RequestOptions,
  ): Promise<Record<string, unknown>>;
}

/**
 * Decides whether a batch may be processed: undefined allows it, a string is the reason to
 * refuse it (JSON-RPC batches exist only in MCP 2025-03-26).
 */
export type BatchPolicy = (items: JsonRpcMessage[]) => string | undefined | Promise<string | undefined>;

export interface PeerHandlers {
  /** Serves a request; it may also throw at once (a refusal before anything awaits). */
  onRequest(request: IncomingRequest): Promise<Record<string, unknown>>;
  onNotification?(notification: JsonRpcNotification): void;
  onClose?(error?: Error): void;
  batchPolicy?: BatchPolicy;
}

export interface PeerOptions {
  limits?: Partial<DecodeLimits>;
  defaultTimeoutMs?: number;
  /** Most outgoing requests awaiting an answer at once. */
  maxPendingRequests?: number;
  /** Most incoming requests being handled at once. */
  maxInFlightRequests?: number;
  /** Spans and metrics for every request sent and received (`mcpkit/otel`). */
  telemetry?: Telemetry;
}

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
  onProgress?: (progress: Progress) => void;
  restartTimer?: () => void;
}

/** Thrown into a handler's signal when the peer cancels its request. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

/** One end of a JSON-RPC connection: correlation, timeouts, progress, cancellation, both ways. */
export class Peer implements TransportSink {
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private readonly inFlight = new Map<RequestId, Incoming>();
  private readonly limits: DecodeLimits;
  private closed = false;
  /** The revision its owner negotiated (legacy `initialize`), for telemetry. */
  protocolVersion?: string;

  constructor(
    readonly transport: Transport,
    private readonly handlers: PeerHandlers,
    private readonly options: PeerOptions = {},
  ) {
    this.limits = { ...DEFAULT_DECODE_LIMITS, ...options.limits };
  }

  /** The Peer is its transport's sink: no closures per connection. */
  async start(): Promise<void> {
    await this.transport.start(this);
  }

  onFrame(frame: string): void {
    this.receive(frame);
  }

  onDecoded(decoded: Decoded): void {
    this.receiveDecoded(decoded);
  }

  onClose(error?: Error): void {
    this.shutdown(error);
  }

  async close(): Promise<void> {
    await this.transport.close();
    this.shutdown();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Requests awaiting an answer, and incoming requests being handled: both return to 0 when idle. */
  get load(): { pending: number; inFlight: number } {
    return { pending: this.pending.size, inFlight: this.inFlight.size };
  }

  /** Resolves when no incoming request is being handled, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  /**
   * Answers every incoming request still being handled with `error` and cancels its handler (a
   * server shutting down after its grace period): no request is left without an answer.
   */
  async failInFlight(error: McpError): Promise<void> {
    const answers: Promise<void>[] = [];
    for (const [id, incoming] of this.inFlight) {
      incoming.cancel(error);
      answers.push(this.send(errorResponse(id, error.toJSON()), id).catch(() => {}));
    }
    await Promise.all(answers);
  }

  /** Sends a request and resolves with its result; rejects with McpError on an error answer. */
  request(
    method: string,
    params?: Record<string, unknown>,
    options: RequestOptions = {},
  ): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'));
    const maxPending = this.options.maxPendingRequests ?? 1000;
    if (this.pending.size >= maxPending) {
      return Promise.reject(
        new McpError(ErrorCode.Overloaded, `Too many pending requests (maxPendingRequests: ${maxPending})`, {
          limit: 'maxPendingRequests',
        }),
      );
    }
    options.signal?.throwIfAborted();
    const id = this.nextId++;
    let body = params;
    if (options.onProgress) body = { ...params, _meta: { ...(params?._meta as object), progressToken: id } };
    const telemetry = this.options.telemetry;
    const sent = telemetry
      ? observeSent(telemetry, {
          method,
          id,
          params: body,
          protocolVersion: this.protocolVersion,
          sessionId: this.transport.sessionId,
          network: this.transport.network,
        })
      : undefined;
    if (!sent) return this.sendRequest(id, method, body, options);
    const onProgress = options.onProgress;
    const traced = onProgress
      ? {
          ...options,
          onProgress: (p: Progress) => {
            sent.event('progress', { ...p });
            onProgress(p);
          },
        }
      : options;
    return this.sendRequest(id, method, sent.params, traced).then(
      (result) => {
        endSent(sent, { result });
        return result;
      },
      (error: Error) => {
        endSent(sent, outcomeOf(error));
        throw error;
      },
    );
  }

  private sendRequest(
    id: number,
    method: string,
    body: Record<string, unknown> | undefined,
    options: RequestOptions,
  ): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs ?? 60_000;
      const settle = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
      };
      const cancel = (error: Error, reason: string) => {
        settle();
        reject(error);
        void this.notify('notifications/cancelled', { requestId: id, reason }).catch(() => {});
      };
      const onAbort = () =>
        cancel(options.signal?.reason ?? new CancelledError('Aborted'), 'Aborted by the caller');
      // Progress may restart the timer, never past `deadline` (performance.now() time).
      const maxTotalMs = options.resetTimeoutOnProgress ? (options.maxTotalTimeoutMs ?? 10 * timeoutMs) : 0;
      const deadline = maxTotalMs > 0 ? performance.now() + maxTotalMs : 0;
      const startTimer = () => {
        clearTimeout(timer);
        if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) return;
        const left = maxTotalMs > 0 ? deadline - performance.now() : timeoutMs;
        const total = left < timeoutMs;
        timer = setTimeout(
          () =>
            cancel(
              new McpError(
                ErrorCode.RequestTimeout,
                total
                  ? `Request ${method} timed out after ${maxTotalMs} ms in all, progress notwithstanding (maxTotalTimeoutMs)`
                  : `Request ${method} timed out after ${timeoutMs} ms`,
              ),
              'Timed out',
            ),
          // Past 2^31 - 1 ms a timer fires at once: a longer wait is that long.
          Math.min(MAX_TIMER_MS, Math.max(0, total ? left : timeoutMs)),
        );
      };
      startTimer();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (r) => {
          settle();
          resolve(r);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.resetTimeoutOnProgress ? { restartTimer: startTimer } : {}),
      });
      options.onId?.(id);
      const message: JsonRpcRequest = { jsonrpc: '2.0', id, method, ...(body ? { params: body } : {}) };
      this.send(message, options.relatedRequestId).catch((error: Error) =>
        this.pending.get(id)?.reject(error),
      );
    });
  }

  notify(method: string, params?: Record<string, unknown>, options?: SendOptions): Promise<void> {
    if (this.closed) return Promise.resolve();
    const message: JsonRpcNotification = { jsonrpc: '2.0', method, ...(params ? { params } : {}) };
    return this.send(message, options?.relatedRequestId, false, options?.fanout);
  }

  private send(
    message: JsonRpcMessage | JsonRpcMessage[],
    relatedRequestId?: RequestId,
    answersBatch = false,
    fanout?: string,
  ): Promise<void> {
    const kind =
      Array.isArray(message) || answersBatch
        ? 'batch'
        : isResponse(message)
          ? 'response'
          : isRequest(message)
            ? 'request'
            : 'notification';
    const errorCode = !Array.isArray(message) && 'error' in message ? message.error.code : undefined;
    // Answers are encoded so that a result JSON cannot carry becomes an error, not a throw.
    const frame = Array.isArray(message)
      ? `[${(message as JsonRpcResponse[]).map(encodeResponse).join(',')}]`
      : kind === 'response'
        ? encodeResponse(message as JsonRpcResponse)
        : encode(message);
    // One shape for every message (absent fields undefined): no spreads on every send.
    return this.transport.send(frame, { kind, message, relatedRequestId, errorCode, fanout });
  }

  /** One frame from the transport. Never throws: bad input is answered, never fatal. */
  receive(frame: string): void {
    this.receiveDecoded(decode(frame, this.limits));
  }

  /** A frame decoded by the transport, under the same limits. Never throws. */
  receiveDecoded(decoded: Decoded): void {
    if (decoded.kind === 'invalid') {
      void this.send(decoded.error).catch(ignore);
      return;
    }
    if (decoded.kind === 'batch') {
      void this.receiveBatch(decoded.items).catch(ignore);
      return;
    }
    const { message } = decoded;
    if (!isRequest(message)) this.receiveOther(message);
    else this.serve(message, this.answer);
  }

  /** Sends the answer a request is owed (none when it was cancelled). */
  private readonly answer = (response: JsonRpcResponse | undefined): void => {
    if (!response) return;
    // Called from a promise reaction: a throw here would be an unhandled rejection.
    try {
      void this.send(response, response.id ?? undefined).catch(ignore);
    } catch {
      // The transport refused synchronously (closed): there is no one left to answer.
    }
  };

  private async receiveBatch(items: Checked[]): Promise<void> {
    const messages = items.flatMap((item) => ('message' in item ? [item.message] : []));
    // The batch's first request names the answer, so that a per-request transport (Streamable
    // HTTP) knows which POST it ends; an invalid item's error has no usable id.
    const first = messages.find(isRequest)?.id;
    const refusal = this.handlers.batchPolicy
      ? await this.handlers.batchPolicy(messages)
      : 'JSON-RPC batches are not supported';
    if (refusal !== undefined) {
      // One error answers the whole batch.
      const error = errorResponse(null, { code: ErrorCode.InvalidRequest, message: refusal });
      await this.send(error, first, true);
      return;
    }
    const answers = await Promise.all(
      items.map((item) => {
        if (!('message' in item)) return item.invalid;
        const message = item.message;
        if (!isRequest(message)) return this.receiveOther(message);
        return new Promise<JsonRpcResponse | undefined>((resolve) => this.serve(message, resolve));
      }),
    );
    const responses = answers.filter((a): a is JsonRpcResponse => a !== undefined);
    if (responses.length > 0) await this.send(responses, first);
  }

  /** A response to one of our requests, or a notification: handled at once, nothing owed. */
  private receiveOther(message: JsonRpcMessage): undefined {
    if (isResponse(message)) this.settle(message);
    else this.receiveNotification(message as JsonRpcNotification);
    return undefined;
  }

  /**
   * Runs the handler of one request and passes `reply` the response owed, or undefined when the
   * peer cancelled it. Not async: the handler's own promise is the only one a request makes here.
   */
  private serve(message: JsonRpcRequest, reply: (response: JsonRpcResponse | undefined) => void): void {
    const { id } = message;
    if (this.inFlight.has(id)) {
      reply(
        errorResponse(id, { code: ErrorCode.InvalidRequest, message: `Request id ${id} is already in use` }),
      );
      return;
    }
    const maxInFlight = this.options.maxInFlightRequests ?? 1000;
    if (this.inFlight.size >= maxInFlight) {
      reply(
        errorResponse(id, {
          code: ErrorCode.Overloaded,
          message: `Too many concurrent requests (maxInFlightRequests: ${maxInFlight}); retry later`,
          data: { limit: 'maxInFlightRequests' },
        }),
      );
      return;
    }
    const incoming = new Incoming(message, this);
    this.inFlight.set(id, incoming);
    const telemetry = this.options.telemetry;
    const trace = telemetry
      ? observeServed(telemetry, {
          method: message.method,
          id,
          params: message.params,
          protocolVersion: this.protocolVersion,
          sessionId: this.transport.sessionId,
          network: this.transport.network,
        })
      : undefined;
    incoming.trace = trace;
    // A cancelled request gets no answer (MCP cancellation: the receiver SHOULD NOT respond).
    const succeed = (result: Record<string, unknown>) => {
      this.inFlight.delete(id);
      if (trace) resolveServed(trace, result, incoming.cancelled);
      reply(incoming.cancelled ? undefined : { jsonrpc: '2.0', id, result });
    };
    const fail = (error: unknown) => {
      this.inFlight.delete(id);
      if (trace) rejectServed(trace, error, incoming.cancelled);
      reply(incoming.cancelled ? undefined : errorResponse(id, toErrorObject(error)));
    };
    try {
      const served = trace
        ? trace.enter(() => this.handlers.onRequest(incoming))
        : this.handlers.onRequest(incoming);
      served.then(succeed, fail);
    } catch (error) {
      fail(error);
    }
  }

  private receiveNotification(message: JsonRpcNotification): void {
    const params = message.params ?? {};
    if (message.method === 'notifications/cancelled') {
      this.inFlight
        .get(params.requestId as RequestId)
        ?.cancel(
          new CancelledError(typeof params.reason === 'string' ? params.reason : 'Cancelled by the peer'),
        );
    } else if (message.method === 'notifications/progress') {
      const pending = this.pending.get(params.progressToken as RequestId);
      if (pending?.onProgress && typeof params.progress === 'number') {
        pending.restartTimer?.();
        pending.onProgress({
          progress: params.progress,
          ...(typeof params.total === 'number' ? { total: params.total } : {}),
          ...(typeof params.message === 'string' ? { message: params.message } : {}),
        });
      }
    }
    try {
      this.handlers.onNotification?.(message);
    } catch {
      // A notification handler's failure has no one to be reported to on the wire.
    }
  }

  private settle(response: JsonRpcResponse): void {
    if (response.id === null) return;
    const pending = this.pending.get(response.id);
    if (!pending) return;
    if ('error' in response) pending.reject(McpError.fromObject(response.error));
    else pending.resolve(response.result);
  }

  private shutdown(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    // Built only when someone is waiting: a one-request connection closes idle, with no stack to capture.
    if (this.pending.size > 0 || this.inFlight.size > 0) {
      const closedError = new McpError(
        ErrorCode.ConnectionClosed,
        error ? `Connection closed: ${error.message}` : 'Connection closed',
      );
      for (const pending of [...this.pending.values()]) pending.reject(closedError);
      for (const incoming of this.inFlight.values()) incoming.cancel(closedError);
    }
    this.handlers.onClose?.(error);
  }
}

function ignore(): void {}

/** How a failed request ended, for telemetry: a JSON-RPC error, or cancelled by the caller. */
function outcomeOf(error: Error): Outcome {
  if (error instanceof McpError) return { error: { code: error.code, message: error.message } };
  if (error instanceof CancelledError || error.name === 'AbortError') return { cancelled: true };
  return { error: { code: ErrorCode.InternalError, message: error.message } };
}

/** One incoming request being handled; its AbortSignal is made only if a handler reads it. */
class Incoming extends LazyCancel implements IncomingRequest {
  trace?: ServedOperation;

  constructor(
    readonly message: JsonRpcRequest,
    private readonly peer: Peer,
  ) {
    super();
  }

  notify(method: string, params?: Record<string, unknown>): Promise<void> {
    return this.peer.notify(method, params, { relatedRequestId: this.message.id });
  }

  request(method: string, params: Record<string, unknown> | undefined, options?: RequestOptions) {
    return this.peer.request(method, params, { ...options, relatedRequestId: this.message.id });
  }
}

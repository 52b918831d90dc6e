import { LazyCancel } from '../engine/lazy-cancel.js';
import { CancelledError, type IncomingRequest } from '../engine/peer.js';
import {
  observeServed,
  rejectServed,
  resolveServed,
  type ServedOperation,
  type Telemetry,
} from '../engine/telemetry.js';
import { ErrorCode, type JsonRpcErrorObject, McpError, toErrorObject } from '../protocol/errors.js';
import { errorResponse, type JsonRpcRequest, type JsonRpcResponse } from '../protocol/jsonrpc.js';
import type { OneShotCall, OneShotIo } from './core.js';

/**
 * One request served without a connection: no Peer, no transport, no id table. Its AbortSignal is
 * made only if a handler reads it, and nothing on the happy path builds an error object.
 */
export class OneShotRequest extends LazyCancel implements IncomingRequest, OneShotCall {
  private settled = false;
  readonly trace: ServedOperation | undefined;

  constructor(
    readonly message: JsonRpcRequest,
    private readonly io: OneShotIo,
    /** Called once, just before the answer goes to `io` (the runtime stops counting the request). */
    private readonly onSettled: () => void,
    telemetry?: Telemetry,
  ) {
    super();
    this.trace = telemetry
      ? observeServed(telemetry, {
          method: message.method,
          id: message.id,
          params: message.params,
          protocolVersion: io.assumeRevision,
          network: io.network,
          headers: io.headers,
        })
      : undefined;
  }

  /** Runs `serve` and settles the response with its result or its error, unless cancelled first. */
  run(serve: (incoming: IncomingRequest) => Promise<Record<string, unknown>>): this {
    const trace = this.trace;
    let served: Promise<Record<string, unknown>>;
    try {
      served = trace ? trace.enter(() => serve(this)) : serve(this);
    } catch (error) {
      // `serve` may refuse at once (invalid params), before anything awaits.
      served = Promise.reject(error);
    }
    served.then(
      (result) => {
        if (trace) resolveServed(trace, result, this.cancelled);
        this.answer({ jsonrpc: '2.0', id: this.message.id, result });
      },
      (error: unknown) => {
        if (trace) rejectServed(trace, error, this.cancelled);
        this.answer(errorResponse(this.message.id, toErrorObject(error)));
      },
    );
    return this;
  }

  /** The client went away: the handler's signal aborts and no answer is sent. */
  override cancel(reason: unknown): void {
    super.cancel(typeof reason === 'string' ? new CancelledError(reason) : reason);
    this.answer(undefined);
  }

  /** The server is shutting down: the handler is cancelled, the client still gets `error`. */
  fail(error: JsonRpcErrorObject): void {
    super.cancel(new McpError(error.code, error.message, error.data));
    this.answer(errorResponse(this.message.id, error), true);
  }

  notify(method: string, params?: Record<string, unknown>): Promise<void> {
    if (!this.cancelled) this.io.notify({ jsonrpc: '2.0', method, ...(params ? { params } : {}) });
    return Promise.resolve();
  }

  request(): Promise<Record<string, unknown>> {
    return Promise.reject(
      new McpError(
        ErrorCode.InternalError,
        'Server-to-client requests need a legacy session; a stateless request cannot send one',
      ),
    );
  }

  private answer(response: JsonRpcResponse | undefined, evenIfCancelled = false): void {
    if (this.settled) return;
    // A cancelled request gets no answer (MCP cancellation: the receiver SHOULD NOT respond).
    if (this.cancelled && !evenIfCancelled && response !== undefined) return;
    this.settled = true;
    this.onSettled();
    // Called from a promise reaction: a throw here would be an unhandled rejection.
    try {
      this.io.answer(response);
    } catch {
      // The transport could not take the answer: there is no one left to give it to.
    }
  }
}

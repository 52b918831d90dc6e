import type { RequestId } from '../protocol/jsonrpc.js';

/**
 * What mcpkit reports to tracing and metrics, as plain calls: the core loads no OpenTelemetry code
 * (`mcpkit/otel` implements this interface), and with no `telemetry` option nothing is called.
 */

/** How a transport reaches its peer (the OpenTelemetry `network.*`, `server.*`, `client.*` attributes). */
export interface NetworkInfo {
  /** `pipe` for stdio, `tcp` for HTTP. */
  readonly transport: 'pipe' | 'tcp';
  /** `http` for Streamable HTTP and HTTP+SSE; absent for stdio. */
  readonly protocol?: 'http' | 'websocket';
  /** The other end's address and port: the server's at a client, the client's at a server. */
  readonly peerAddress?: string;
  readonly peerPort?: number;
}

/** One JSON-RPC request, sent or received. */
export interface Operation {
  readonly method: string;
  readonly id: RequestId;
  readonly params: Record<string, unknown> | undefined;
  /** The negotiated legacy revision; a modern request names its own in `_meta`. */
  readonly protocolVersion?: string | undefined;
  /** The legacy HTTP session (`Mcp-Session-Id`); absent on modern requests and stdio. */
  readonly sessionId?: string | undefined;
  readonly network?: NetworkInfo | undefined;
  /** HTTP headers of the request that carried it, for `traceparent` when `_meta` has none. */
  readonly headers?: { get(name: string): string | null } | undefined;
}

/** How a request ended: a result, a JSON-RPC error, or no answer at all (cancelled). */
export type Outcome =
  | { readonly result: Record<string, unknown> }
  | { readonly error: { readonly code: number; readonly message: string } }
  | { readonly cancelled: true };

/**
 * A request being served. Its handling runs inside it (`enter`), so the handler's own spans are its
 * children; the caller then ends it with the handling's result or error, before answering.
 */
export interface ServedOperation {
  /** Runs `serve` in the operation's context: returns what it returns, throws what it throws. */
  enter<T>(serve: () => T): T;
  /** The handling gave a result; `cancelled` when the request was cancelled meanwhile (no answer). */
  resolved(result: Record<string, unknown>, cancelled: boolean): void;
  /** The handling failed (a JSON-RPC error, or anything thrown); `cancelled` as for `resolved`. */
  rejected(error: unknown, cancelled: boolean): void;
  /** Something that happened while serving it (progress sent, input asked). */
  event(name: string, attributes?: Record<string, string | number | boolean>): void;
  /** The trace this operation belongs to, for log lines; undefined when it is not sampled. */
  readonly traceId: string | undefined;
}

/** A request about to be sent: `params` carry the trace context in `_meta`. */
export interface SentOperation {
  readonly params: Record<string, unknown> | undefined;
  end(outcome: Outcome): void;
  event(name: string, attributes?: Record<string, string | number | boolean>): void;
}

/** A legacy session, from `initialize` to its end. */
export interface SessionSpan {
  end(error?: { code: number } | Error): void;
}

/** Counters mcpkit keeps beside the semantic conventions' histograms. */
export type TelemetryCounter =
  /** A rate-limit decision: `decision` allowed | refused | store_failure; `limit` names the refusing rule. */
  | 'mcpkit.rate_limit.decisions'
  /** A task reached a state: `status`. */
  | 'mcpkit.task.transitions';

/** Levels read when metrics are collected (cheap: nothing runs per request). */
export type TelemetryGauge =
  | 'mcpkit.server.streams.open'
  | 'mcpkit.event_store.events'
  | 'mcpkit.event_store.bytes';

export interface Telemetry {
  /** A request received (a client's at a server, a server's at a client). */
  serve(operation: Operation): ServedOperation;
  /** A request about to be sent. */
  send(operation: Operation): SentOperation;
  /** A legacy session opened (`initialize` answered); `end` when it closes. */
  session(role: 'client' | 'server', protocolVersion: string, network: NetworkInfo | undefined): SessionSpan;
  /** A task's detached run, from creation to its terminal state (resolved by `run`). */
  task(taskId: string, tool: string | undefined, run: () => Promise<string>): Promise<void>;
  count(counter: TelemetryCounter, attributes: Record<string, string>): void;
  /** Registers a level read at collection time; the returned function unregisters it. */
  gauge(gauge: TelemetryGauge, read: () => number): () => void;
}

/*
 * Telemetry is the user's code or a backend's: whatever it throws, a request is still answered.
 * A peer's input that telemetry cannot read leaves that request unobserved, never unanswered.
 */

/** `telemetry.serve`, or undefined when it throws. */
export function observeServed(telemetry: Telemetry, operation: Operation): ServedOperation | undefined {
  try {
    return telemetry.serve(operation);
  } catch {
    return undefined;
  }
}

/** `telemetry.send`, or undefined when it throws (the request then goes out untraced). */
export function observeSent(telemetry: Telemetry, operation: Operation): SentOperation | undefined {
  try {
    return telemetry.send(operation);
  } catch {
    return undefined;
  }
}

/** `sent.end`; what telemetry throws does not replace the request's result or error. */
export function endSent(sent: SentOperation, outcome: Outcome): void {
  try {
    sent.end(outcome);
  } catch {
    // Unobserved; the caller still gets its answer.
  }
}

/** `trace.resolved`; what telemetry throws does not reach the answer's path. */
export function resolveServed(
  trace: ServedOperation,
  result: Record<string, unknown>,
  cancelled: boolean,
): void {
  try {
    trace.resolved(result, cancelled);
  } catch {
    // Unobserved, still answered.
  }
}

/** `trace.rejected`, likewise. */
export function rejectServed(trace: ServedOperation, error: unknown, cancelled: boolean): void {
  try {
    trace.rejected(error, cancelled);
  } catch {
    // Unobserved, still answered.
  }
}

import type { OperatorLogger } from '../engine/operator-log.js';
import type { Principal } from '../engine/principal.js';
import type { NetworkInfo, Telemetry } from '../engine/telemetry.js';
import type { Transport } from '../engine/transport.js';
import type {
  DecodeLimits,
  JsonRpcNotification,
  JsonRpcRequest,
  JsonRpcResponse,
} from '../protocol/jsonrpc.js';
import type { LegacyRevision, ModernRevision } from '../protocol/revisions.js';
import type { Implementation, ServerCapabilities, SubscriptionFilter } from '../protocol/schemas/index.js';
import type { HandlerContext } from './context.js';
import type { RegisteredPrompt } from './prompts.js';
import type { Registry } from './registry.js';
import type { RequestStateCodec } from './request-state.js';
import type { CacheHint, RegisteredResource, RegisteredTemplate } from './resources.js';
import type { LegacySession, SessionState } from './scope.js';
import type { TaskHost } from './task-host.js';
import type { TaskRecord } from './tasks.js';
import type { RegisteredTool } from './tools.js';

/** What method handlers may use of the server. */
export interface ServerCore {
  readonly info: Implementation;
  readonly instructions?: string;
  readonly pageSize: number;
  readonly modernRevisions: readonly ModernRevision[];
  readonly legacyRevisions: readonly LegacyRevision[];
  readonly tools: Registry<RegisteredTool>;
  readonly resources: Registry<RegisteredResource>;
  readonly templates: Registry<RegisteredTemplate>;
  readonly prompts: Registry<RegisteredPrompt>;
  /** Resources one legacy session may subscribe to at once. */
  readonly maxSubscriptionsPerSession: number;
  /** Characters of JSON a legacy session keeps of its client's capabilities and clientInfo. */
  readonly maxClientStateBytes: number;
  enabledTools(): readonly RegisteredTool[];
  capabilities(): ServerCapabilities;
  /** The part of a listen filter this server can honour. */
  agreeFilter(requested: SubscriptionFilter): SubscriptionFilter;
  /** Tasks extension: a task as tasks/get shows it, or -32602 for an unknown id. */
  /** A task by id, for the caller that owns it (`principalKey`); others get "Unknown task". */
  taskOrThrow(taskId: string, caller?: string): Promise<TaskRecord>;
  /** `tasks/update`: the answers reach the task wherever it runs (this node, or another on the bus). */
  updateTask(taskId: string, caller: string | undefined, responses: Record<string, unknown>): Promise<void>;
  cancelTask(taskId: string, caller?: string): Promise<void>;
  /** Serves a listen stream until the client cancels it or the server closes. */
  listen(ctx: HandlerContext, filter: SubscriptionFilter): Promise<void>;
}

/** What a transport sees of a connection it opened. */
export interface SessionConnection {
  /** The legacy session `initialize` opened on this connection, if any. */
  readonly session?: LegacySession;
  /** Stateless legacy HTTP: serve as if `initialize` had opened a session at `revision`. */
  assumeSession(revision: LegacyRevision): void;
  /** A session another node opened (a shared session store): serve it with this state. */
  restoreSession(state: SessionState): void;
}

/** Where a one-shot request's answer and related messages go (progress, logs, listen-stream events). */
export interface OneShotIo {
  /** Who sent the request, for per-client bounds. */
  readonly clientKey: string;
  /** The authenticated caller, if the transport authenticated the request. */
  readonly principal?: Principal;
  notify(notification: JsonRpcNotification): void;
  /**
   * Called once with the response owed, or undefined when the request was cancelled (it gets no
   * answer). A callback rather than a promise: the hot path makes no promise of its own for it.
   */
  answer(response: JsonRpcResponse | undefined): void;
  /** How the request arrived, for telemetry; and its HTTP headers, for a `traceparent` there. */
  readonly network?: NetworkInfo;
  readonly headers?: { get(name: string): string | null };
  /**
   * A legacy request with no session (stateless legacy HTTP): served at this revision, for a
   * client that declared no capabilities. Absent: the request must be modern.
   */
  readonly assumeRevision?: LegacyRevision;
}

/** A request served once, with no connection: how to stop it (its answer goes to `OneShotIo.answer`). */
export interface OneShotCall {
  /** The client went away: the handler's signal aborts and no answer is sent. */
  cancel(reason: string): void;
}

/**
 * The server as connections and transports use it: dispatch, sessions, tasks, request state and
 * registries. `McpServer` is the public face over it; transports reach it with `runtimeOf`.
 */
export interface ServerRuntime extends ServerCore {
  readonly cacheHint: CacheHint;
  readonly requestState: RequestStateCodec;
  readonly taskHost: TaskHost;
  readonly supportsTasks: boolean;
  /** Timeout of server-to-client requests on legacy sessions. */
  readonly requestTimeoutMs: number;
  /** The largest message accepted; stdio sizes its line buffer by it. */
  readonly maxMessageLength: number;
  /** Spans and metrics (`telemetry` option); undefined costs nothing. */
  readonly telemetry: Telemetry | undefined;
  /** The operator's log (`logger` option); silent by default. */
  readonly logger: OperatorLogger;
  /** `close()` has begun. */
  readonly closing: boolean;
  /** Size, depth and batch bounds of incoming messages, for transports that decode them. */
  readonly decodeLimits: DecodeLimits;
  /** Runs the middleware chain around a method handler (or a given final step). */
  run(ctx: HandlerContext, final?: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>>;
  /** Serves one transport connection until it closes. */
  connect(transport: Transport): Promise<SessionConnection>;
  /** Serves one request with no connection, Peer or transport (stateless HTTP). */
  dispatch(message: JsonRpcRequest, io: OneShotIo): OneShotCall;
}

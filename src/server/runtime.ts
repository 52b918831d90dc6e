import type { Bus } from '../engine/bus.js';
import { compose, type Middleware } from '../engine/compose.js';
import { type OperatorLogger, silentLogger } from '../engine/operator-log.js';
import type { PeerOptions } from '../engine/peer.js';
import { principalKey } from '../engine/principal.js';
import type { Telemetry } from '../engine/telemetry.js';
import type { Transport } from '../engine/transport.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits, type JsonRpcRequest } from '../protocol/jsonrpc.js';
import { META } from '../protocol/meta.js';
import {
  LEGACY_REVISIONS,
  type LegacyRevision,
  MODERN_REVISIONS,
  type ModernRevision,
} from '../protocol/revisions.js';
import type { Implementation, ServerCapabilities, SubscriptionFilter } from '../protocol/schemas/index.js';
import { Connection, type ConnectionHooks, type ServerConnection } from './connection.js';
import type { HandlerContext } from './context.js';
import type { OneShotCall, OneShotIo, ServerRuntime } from './core.js';
import { assumedSession, serveInitialize, serveInSession, serveModern } from './dispatch.js';
import { methods } from './methods.js';
import { InputRequiredSignal } from './mrtr.js';
import { OneShotRequest } from './one-shot.js';
import type { RegisteredPrompt } from './prompts.js';
import { Registry } from './registry.js';
import type { RequestContext } from './request-context.js';
import { RequestStateCodec } from './request-state.js';
import type { CacheHint, RegisteredResource, RegisteredTemplate } from './resources.js';
import type { JsonSchemaValidator } from './schema.js';
import { TaskHost } from './task-host.js';
import { InMemoryTaskStore, TASKS_EXTENSION, type TaskRecord, type TaskStore, visibleTask } from './tasks.js';
import type { RegisteredTool } from './tools.js';

/** Middleware sees the handler context and the validated params of every incoming request. */
export type ServerMiddleware = Middleware<RequestContext, Record<string, unknown>>;

export interface McpServerOptions {
  instructions?: string;
  /** Items per page of every list result. */
  pageSize?: number;
  /** Revisions served; the first of each list is preferred. */
  legacyRevisions?: readonly LegacyRevision[];
  modernRevisions?: readonly ModernRevision[];
  /** Cache hint of modern list and discover results (2026-07-28 caching). Default: 0 ms, private. */
  cache?: CacheHint;
  /** HMAC key (>= 32 bytes) for MRTR requestState; share it between nodes. Default: random per process. */
  requestStateSecret?: Uint8Array;
  /** How long a requestState stays valid. */
  requestStateTtlMs?: number;
  /** Tasks extension: where tasks are kept (default: in memory), their TTL and suggested poll interval. */
  taskStore?: TaskStore;
  taskTtlMs?: number | null;
  taskPollIntervalMs?: number;
  /**
   * With a shared task store: a task whose server stops renewing it for this long (the server
   * died) is reported failed by whichever node reads it next. Default 30 s.
   */
  taskLeaseMs?: number;
  /** Tasks kept at once (created and not yet expired), all clients together. Default 10,000. */
  maxTasks?: number;
  /** Tasks one client (HTTP: remote address; stdio: the connection) may have kept. Default 1,000. */
  maxTasksPerClient?: number;
  /** Timeout of server-to-client requests on legacy sessions. */
  requestTimeoutMs?: number;
  limits?: Partial<DecodeLimits> &
    Pick<PeerOptions, 'maxInFlightRequests' | 'maxPendingRequests'> & {
      /** Resources one legacy session may subscribe to (`resources/subscribe`). Default 1000. */
      maxSubscriptionsPerSession?: number;
      /**
       * The capabilities and clientInfo a legacy client declares in `initialize`, as JSON: its
       * session keeps them (and a shared session store saves them with every change). Default 64 KiB.
       */
      maxClientStateBytes?: number;
    };
  /**
   * Validates raw JSON Schema tool and prompt arguments. Default: an interpreter (no code
   * generation, so it runs on Workers and other no-eval hosts). A compiling validator such as ajv
   * is faster per call where `eval` is allowed.
   */
  jsonSchemaValidator?: JsonSchemaValidator;
  /**
   * Spans and metrics for every request, session and task (`otelTelemetry()` from mcpkit/otel).
   * Absent: nothing is measured and no telemetry code runs.
   */
  telemetry?: Telemetry;
  /**
   * The operator's log (pino, or any logger with debug/info/warn/error): handler failures, session
   * ends, shutdown. Handlers get it as `ctx.logger`, bound to the request. Default: silent.
   */
  logger?: OperatorLogger;
  /**
   * Several nodes as one server (`RedisBus` from mcpkit/redis): `notifyResourceUpdated` and task
   * status reach the sessions and listen streams every node holds, each once.
   */
  bus?: Bus;
}

type ListKind = 'tools' | 'resources' | 'prompts';

interface ListenStream {
  ctx: HandlerContext;
  filter: SubscriptionFilter;
  /** The filter's resource URIs and task ids, for a lookup per update that does not walk a list. */
  uris: ReadonlySet<string>;
  taskIds: ReadonlySet<string>;
  end(): void;
}

/** What nodes sharing a bus tell each other about resources and tasks (the 'server' channel). */
type Broadcast =
  | { t: 'resource'; uri: string; id: string }
  | { t: 'task'; task: TaskRecord }
  | { t: 'task-input'; taskId: string; responses: Record<string, unknown> }
  | { t: 'task-cancel'; taskId: string };

/**
 * Everything an `McpServer` runs on: registries, connections and one-shot requests, listen
 * streams, the middleware chain, tasks and MRTR request state.
 */
export class Runtime implements ServerRuntime {
  readonly instructions?: string;
  readonly pageSize: number;
  readonly legacyRevisions: readonly LegacyRevision[];
  readonly modernRevisions: readonly ModernRevision[];
  readonly cacheHint: CacheHint;
  readonly requestState: RequestStateCodec;
  readonly requestTimeoutMs: number;
  readonly tools = new Registry<RegisteredTool>(() => this.listChanged('tools'));
  readonly resources = new Registry<RegisteredResource>(() => this.listChanged('resources'));
  readonly templates = new Registry<RegisteredTemplate>(() => this.listChanged('resources'));
  readonly prompts = new Registry<RegisteredPrompt>(() => this.listChanged('prompts'));
  readonly taskHost: TaskHost;
  readonly telemetry: Telemetry | undefined;
  readonly logger: OperatorLogger;
  readonly rootsListeners = new Set<(connection: ServerConnection) => void>();

  private readonly connections = new Set<Connection>();
  /** What every connection reports back: one object for all of them. */
  private readonly hooks: ConnectionHooks = {
    onClose: (c) => this.connections.delete(c),
    onRootsChanged: (c) => {
      for (const listener of this.rootsListeners) listener(c);
    },
  };
  /** One-shot requests being served, so that shutdown can answer them too. */
  private readonly oneShots = new Set<OneShotRequest>();
  private readonly listens = new Set<ListenStream>();
  private readonly middleware: ServerMiddleware[] = [];
  private chain?: (ctx: HandlerContext) => Promise<Record<string, unknown>>;
  private pendingLists = new Set<ListKind>();
  /** `close()` has begun: readiness probes fail from now on. */
  closing = false;
  /**
   * This node on the bus: its own broadcasts come back to it and are skipped. Made on first use:
   * the first touch of `crypto` loads node's WebCrypto (~3 ms of a cold start), and a server
   * without a bus never needs it.
   */
  private get nodeId(): string {
    this.busNodeId ??= crypto.randomUUID();
    return this.busNodeId;
  }
  private busNodeId?: string;
  private readonly unsubscribe?: Promise<() => Promise<void>>;
  private flushScheduled = false;

  constructor(
    readonly info: Implementation,
    private readonly options: McpServerOptions = {},
  ) {
    if (options.instructions !== undefined) this.instructions = options.instructions;
    this.pageSize = options.pageSize ?? 100;
    this.legacyRevisions = options.legacyRevisions ?? LEGACY_REVISIONS;
    this.modernRevisions = options.modernRevisions ?? MODERN_REVISIONS;
    this.cacheHint = options.cache ?? { ttlMs: 0, scope: 'private' };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.telemetry = options.telemetry;
    this.logger = options.logger ?? silentLogger;
    this.taskHost = new TaskHost({
      telemetry: options.telemetry,
      store: options.taskStore ?? new InMemoryTaskStore(),
      ttlMs: options.taskTtlMs === undefined ? 60 * 60_000 : options.taskTtlMs,
      pollIntervalMs: options.taskPollIntervalMs ?? 1000,
      leaseMs: options.taskLeaseMs ?? 30_000,
      maxTasks: options.maxTasks ?? 10_000,
      maxTasksPerClient: options.maxTasksPerClient ?? 1000,
      tool: (name) => this.tools.get(name),
      onChange: (task) => this.taskChanged(task),
    });
    if (options.bus)
      this.unsubscribe = options.bus
        .subscribe('server', (text) => this.onBroadcast(text))
        .catch(() => async () => {});
    const ttl = options.requestStateTtlMs ?? 10 * 60_000;
    this.requestState = options.requestStateSecret
      ? new RequestStateCodec(options.requestStateSecret, ttl)
      : RequestStateCodec.random(ttl);
  }

  get jsonSchemaValidator(): JsonSchemaValidator | undefined {
    return this.options.jsonSchemaValidator;
  }

  get maxMessageLength(): number {
    return this.decodeLimits.maxMessageLength;
  }

  get maxSubscriptionsPerSession(): number {
    return this.options.limits?.maxSubscriptionsPerSession ?? 1000;
  }

  get maxClientStateBytes(): number {
    return this.options.limits?.maxClientStateBytes ?? 64 * 1024;
  }

  get decodeLimits(): DecodeLimits {
    const { maxMessageLength, maxDepth, maxBatchSize } = { ...DEFAULT_DECODE_LIMITS, ...this.options.limits };
    return { maxMessageLength, maxDepth, maxBatchSize };
  }

  use(middleware: ServerMiddleware): void {
    this.middleware.push(middleware);
    this.chain = undefined;
  }

  async connect(transport: Transport): Promise<Connection> {
    const {
      maxInFlightRequests,
      maxPendingRequests,
      maxSubscriptionsPerSession: _subscriptions,
      maxClientStateBytes: _clientState,
      ...decodeLimits
    } = this.options.limits ?? {};
    const peerOptions = {
      limits: decodeLimits,
      ...(maxInFlightRequests !== undefined ? { maxInFlightRequests } : {}),
      ...(maxPendingRequests !== undefined ? { maxPendingRequests } : {}),
      ...(this.telemetry ? { telemetry: this.telemetry } : {}),
    };
    const connection = new Connection(this, transport, peerOptions, this.hooks);
    this.connections.add(connection);
    await connection.peer.start();
    return connection;
  }

  dispatch(message: JsonRpcRequest, io: OneShotIo): OneShotCall {
    const call: OneShotRequest = new OneShotRequest(
      message,
      io,
      () => this.oneShots.delete(call),
      this.telemetry,
    );
    this.oneShots.add(call);
    // The transport decided the era (requestEra): no revision to assume means a modern request.
    if (io.assumeRevision === undefined) {
      const version = (message.params?._meta as Record<string, unknown> | undefined)?.[META.protocolVersion];
      return call.run((incoming) => serveModern(this, incoming, version, io));
    }
    // Stateless legacy: initialize is answered (nothing is kept); anything else runs in a session
    // made for this request alone.
    if (message.method === 'initialize')
      return call.run(async (incoming) => (await serveInitialize(this, incoming, io)).result);
    if (message.method === 'ping') return call.run(async () => ({}));
    // Nothing outlives the request: there is no stream for unsolicited messages.
    const session = assumedSession(io.assumeRevision, () => Promise.resolve());
    return call.run((incoming) => serveInSession(this, session, incoming, io));
  }

  /** Tells subscribers that a resource changed (legacy subscribe, modern listen), on every node. */
  async notifyResourceUpdated(uri: string): Promise<void> {
    const id = crypto.randomUUID();
    await Promise.allSettled([this.broadcast({ t: 'resource', uri, id }), this.resourceUpdated(uri, id)]);
  }

  /**
   * Tells this node's subscribers. A session shared between nodes hears it from every node that
   * serves it; `id` makes that one event, delivered by the node holding its stream.
   */
  private async resourceUpdated(uri: string, id: string): Promise<void> {
    const sends: Promise<void>[] = [];
    const options = this.options.bus !== undefined ? { fanout: id } : {};
    for (const c of this.connections) {
      if (c.session?.initialized && c.session.subscriptions.has(uri))
        sends.push(c.session.notify('notifications/resources/updated', { uri }, options));
    }
    for (const l of this.listens) {
      if (l.uris.has(uri)) sends.push(this.sendOnStream(l, 'notifications/resources/updated', { uri }));
    }
    await Promise.allSettled(sends);
  }

  /**
   * Ends listen streams gracefully (a final listen result), lets requests in flight finish for up
   * to `graceMs`, answers those still running with an error, then closes every connection.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    void this.unsubscribe?.then((stop) => stop()).catch(() => {});
    this.logger.info({ graceMs, inFlight: this.oneShots.size }, 'server closing');
    for (const l of [...this.listens]) l.end();
    const deadline = Date.now() + graceMs;
    await Promise.allSettled([
      ...[...this.connections].map((c) => c.peer.drain(graceMs)),
      (async () => {
        while (this.oneShots.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      })(),
    ]);
    const shutdown = new McpError(
      ErrorCode.ConnectionClosed,
      `The server shut down before the request finished (grace period ${graceMs} ms)`,
    );
    for (const call of [...this.oneShots]) call.fail(shutdown.toJSON());
    await Promise.allSettled([...this.connections].map((c) => c.peer.failInFlight(shutdown)));
    await Promise.allSettled([...this.connections].map((c) => c.peer.close()));
  }

  // ---- ServerCore: what method handlers use ----

  enabledTools(): readonly RegisteredTool[] {
    const all = this.tools.list();
    return all.every((t) => t.enabled) ? all : all.filter((t) => t.enabled);
  }

  capabilities(): ServerCapabilities {
    const hasResources = this.resources.size > 0 || this.templates.size > 0;
    return {
      ...(this.tools.size > 0 ? { tools: { listChanged: true } } : {}),
      ...(hasResources ? { resources: { subscribe: true, listChanged: true } } : {}),
      ...(this.prompts.size > 0 ? { prompts: { listChanged: true } } : {}),
      ...(this.prompts.size > 0 || this.templates.size > 0 ? { completions: {} } : {}),
      logging: {},
      ...(this.supportsTasks ? { extensions: { [TASKS_EXTENSION]: {} } } : {}),
    };
  }

  /** True when a registered tool can run as a task. */
  get supportsTasks(): boolean {
    return this.tools.list().some((t) => t.task);
  }

  taskOrThrow(taskId: string, caller?: string): Promise<TaskRecord> {
    return this.taskHost.get(taskId, caller);
  }

  async updateTask(
    taskId: string,
    caller: string | undefined,
    responses: Record<string, unknown>,
  ): Promise<void> {
    await this.taskHost.get(taskId, caller);
    const running = this.taskHost.runningTask(taskId);
    if (running) await running.answer(responses);
    // Another node runs it (a shared task store): the answers go there.
    else await this.broadcast({ t: 'task-input', taskId, responses });
  }

  async cancelTask(taskId: string, caller?: string): Promise<void> {
    const runsHere = this.taskHost.runningTask(taskId) !== undefined;
    await this.taskHost.cancel(taskId, caller);
    // The store says cancelled already; the node running it must also stop the handler.
    if (!runsHere) await this.broadcast({ t: 'task-cancel', taskId });
  }

  agreeFilter(requested: SubscriptionFilter): SubscriptionFilter {
    const caps = this.capabilities();
    return {
      ...(requested.taskIds?.length && this.supportsTasks ? { taskIds: requested.taskIds } : {}),
      ...(requested.toolsListChanged && caps.tools ? { toolsListChanged: true } : {}),
      ...(requested.promptsListChanged && caps.prompts ? { promptsListChanged: true } : {}),
      ...(requested.resourcesListChanged && caps.resources ? { resourcesListChanged: true } : {}),
      ...(requested.resourceSubscriptions && caps.resources
        ? { resourceSubscriptions: requested.resourceSubscriptions }
        : {}),
    };
  }

  listen(ctx: HandlerContext, filter: SubscriptionFilter): Promise<void> {
    return new Promise((resolve) => {
      const stream: ListenStream = {
        ctx,
        filter,
        uris: new Set(filter.resourceSubscriptions),
        taskIds: new Set(filter.taskIds),
        end: () => {
          this.listens.delete(stream);
          ctx.signal.removeEventListener('abort', stream.end);
          resolve();
        },
      };
      this.listens.add(stream);
      ctx.signal.addEventListener('abort', stream.end, { once: true });
    });
  }

  run(ctx: HandlerContext, final?: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
    if (final)
      return compose(this.middleware as Middleware<HandlerContext, Record<string, unknown>>[], final)(ctx);
    this.chain ??= compose(this.middleware as Middleware<HandlerContext, Record<string, unknown>>[], (c) =>
      this.logger === silentLogger ? methods[c.method]!(this, c, c.params) : this.logged(c),
    );
    return this.chain(ctx);
  }

  /** A handler's unexpected failure reaches the client as -32603 with no detail: the operator gets it. */
  private async logged(ctx: HandlerContext): Promise<Record<string, unknown>> {
    try {
      return await methods[ctx.method]!(this, ctx, ctx.params);
    } catch (error) {
      if (
        !(error instanceof McpError || error instanceof InputRequiredSignal) &&
        !ctx.scope.incoming.cancelled
      )
        ctx.logger.error(
          { err: error },
          `${ctx.method} failed; the client was answered -32603 Internal error`,
        );
      throw error;
    }
  }

  /** Flips a tool on or off; the change is announced like any other list change. */
  toggle(tool: RegisteredTool, enabled: boolean): void {
    if (tool.enabled === enabled) return;
    tool.enabled = enabled;
    this.listChanged('tools');
  }

  /**
   * `notifications/tasks`: the whole DetailedTask, to listen streams that asked for the task and
   * belong to its owner (a task id named by another principal's stream shows nothing).
   */
  private taskChanged(task: TaskRecord, fromBus = false): void {
    if (!fromBus) {
      this.telemetry?.count('mcpkit.task.transitions', { status: task.status });
      void this.broadcast({ t: 'task', task });
    }
    for (const l of this.listens) {
      if (!l.taskIds.has(task.taskId)) continue;
      if (task.owner !== undefined && task.owner !== principalKey(l.ctx.scope.principal)) continue;
      void this.sendOnStream(l, 'notifications/tasks', { ...visibleTask(task) }).catch(() => {});
    }
  }

  private sendOnStream(
    stream: ListenStream,
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<void> {
    return stream.ctx.scope.incoming.notify(method, {
      ...params,
      _meta: { [META.subscriptionId]: stream.ctx.requestId },
    });
  }

  private broadcast(message: Broadcast): Promise<void> {
    const bus = this.options.bus;
    if (!bus) return Promise.resolve();
    return bus.publish('server', JSON.stringify({ ...message, from: this.nodeId })).catch(() => {});
  }

  /** What another node broadcast: its subscribers there are told already; these are this node's. */
  private onBroadcast(text: string): void {
    // Checked field by field: another process wrote it.
    let message: {
      from?: unknown;
      t?: unknown;
      uri?: unknown;
      id?: unknown;
      task?: TaskRecord;
      taskId?: unknown;
      responses?: Record<string, unknown>;
    };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.from === this.nodeId) return;
    const taskId = typeof message.taskId === 'string' ? message.taskId : undefined;
    if (message.t === 'resource' && typeof message.uri === 'string' && typeof message.id === 'string')
      void this.resourceUpdated(message.uri, message.id);
    else if (message.t === 'task' && message.task && typeof message.task.taskId === 'string')
      this.taskChanged(message.task, true);
    else if (
      message.t === 'task-input' &&
      taskId &&
      message.responses &&
      typeof message.responses === 'object'
    )
      void this.taskHost
        .runningTask(taskId)
        ?.answer(message.responses)
        .catch(() => {});
    else if (message.t === 'task-cancel' && taskId) void this.taskHost.stop(taskId).catch(() => {});
  }

  /** Coalesces registry changes made in one tick into one notification per list. */
  private listChanged(kind: ListKind): void {
    this.pendingLists.add(kind);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setTimeout(() => {
      this.flushScheduled = false;
      const kinds = this.pendingLists;
      this.pendingLists = new Set();
      for (const k of kinds) {
        const method = `notifications/${k}/list_changed`;
        const filterKey = `${k}ListChanged` as
          | 'toolsListChanged'
          | 'promptsListChanged'
          | 'resourcesListChanged';
        for (const c of this.connections)
          if (c.session?.initialized) void c.session.notify(method).catch(() => {});
        for (const l of this.listens)
          if (l.filter[filterKey]) void this.sendOnStream(l, method).catch(() => {});
      }
    }, 0);
  }
}

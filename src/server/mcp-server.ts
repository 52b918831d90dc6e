import { compose, type Middleware } from '../engine/compose.js';
import type { PeerOptions } from '../engine/peer.js';
import type { Transport } from '../engine/transport.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from '../protocol/jsonrpc.js';
import { META } from '../protocol/meta.js';
import {
  LEGACY_REVISIONS,
  type LegacyRevision,
  MODERN_REVISIONS,
  type ModernRevision,
} from '../protocol/revisions.js';
import type { Implementation, ServerCapabilities, SubscriptionFilter } from '../protocol/schemas/index.js';
import { ServerConnection } from './connection.js';
import type { HandlerContext, RequestContext } from './context.js';
import type { ServerCore } from './core.js';
import { methods } from './methods.js';
import { buildPrompt, type PromptConfig, type PromptHandler, type RegisteredPrompt } from './prompts.js';
import { Registry } from './registry.js';
import { RequestStateCodec } from './request-state.js';
import {
  buildResource,
  buildTemplate,
  type CacheHint,
  type RegisteredResource,
  type RegisteredTemplate,
  type ResourceConfig,
  type ResourceHandler,
  type ResourceTemplateConfig,
  type TemplateHandler,
} from './resources.js';
import type { SchemaInput } from './schema.js';
import { TaskHost } from './task-host.js';
import {
  InMemoryTaskStore,
  type RunningTask,
  TASKS_EXTENSION,
  type TaskRecord,
  type TaskStore,
} from './tasks.js';
import { buildTool, type RegisteredTool, type ToolConfig, type ToolHandler } from './tools.js';

export type ServerInfo = Implementation;

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
  /** Tasks kept at once (created and not yet expired), all clients together. Default 10,000. */
  maxTasks?: number;
  /** Tasks one client (HTTP: remote address; stdio: the connection) may have kept. Default 1,000. */
  maxTasksPerClient?: number;
  /** Timeout of server-to-client requests on legacy sessions. */
  requestTimeoutMs?: number;
  limits?: Partial<DecodeLimits> & Pick<PeerOptions, 'maxInFlightRequests' | 'maxPendingRequests'>;
}

/** A registration that can be withdrawn or paused; each change notifies clients (coalesced). */
export interface Registration {
  remove(): void;
}
export interface ToolRegistration extends Registration {
  enable(): void;
  disable(): void;
}

type ListKind = 'tools' | 'resources' | 'prompts';

interface ListenStream {
  ctx: HandlerContext;
  filter: SubscriptionFilter;
  end(): void;
}

/**
 * An MCP server for both eras. Register tools, resources, templates and prompts once; connect it
 * to any number of transports. Legacy clients get an `initialize` session per connection, modern
 * clients are served per request.
 */
export class McpServer implements ServerCore {
  readonly instructions?: string;
  readonly pageSize: number;
  readonly legacyRevisions: readonly LegacyRevision[];
  readonly modernRevisions: readonly ModernRevision[];
  readonly cacheHint: CacheHint;
  readonly requestState: RequestStateCodec;
  readonly tools = new Registry<RegisteredTool>(() => this.listChanged('tools'));
  readonly resources = new Registry<RegisteredResource>(() => this.listChanged('resources'));
  readonly templates = new Registry<RegisteredTemplate>(() => this.listChanged('resources'));
  readonly prompts = new Registry<RegisteredPrompt>(() => this.listChanged('prompts'));

  private readonly connections = new Set<ServerConnection>();
  private readonly listens = new Set<ListenStream>();
  private readonly middleware: ServerMiddleware[] = [];
  private chain?: (ctx: HandlerContext) => Promise<Record<string, unknown>>;
  private pendingLists = new Set<ListKind>();
  private flushScheduled = false;
  private rootsListeners = new Set<(connection: ServerConnection) => void>();
  readonly taskHost: TaskHost;

  constructor(
    readonly info: ServerInfo,
    private readonly options: McpServerOptions = {},
  ) {
    if (options.instructions !== undefined) this.instructions = options.instructions;
    this.pageSize = options.pageSize ?? 100;
    this.legacyRevisions = options.legacyRevisions ?? LEGACY_REVISIONS;
    this.modernRevisions = options.modernRevisions ?? MODERN_REVISIONS;
    this.cacheHint = options.cache ?? { ttlMs: 0, scope: 'private' };
    this.taskHost = new TaskHost({
      store: options.taskStore ?? new InMemoryTaskStore(),
      ttlMs: options.taskTtlMs === undefined ? 60 * 60_000 : options.taskTtlMs,
      pollIntervalMs: options.taskPollIntervalMs ?? 1000,
      maxTasks: options.maxTasks ?? 10_000,
      maxTasksPerClient: options.maxTasksPerClient ?? 1000,
      tool: (name) => this.tools.get(name),
      onChange: (task) => this.taskChanged(task),
    });
    const ttl = options.requestStateTtlMs ?? 10 * 60_000;
    this.requestState = options.requestStateSecret
      ? new RequestStateCodec(options.requestStateSecret, ttl)
      : RequestStateCodec.random(ttl);
  }

  tool<I extends SchemaInput | undefined = undefined, O extends SchemaInput | undefined = undefined>(
    name: string,
    config: ToolConfig<I, O>,
    handler: ToolHandler<I, O>,
  ): ToolRegistration {
    if (this.tools.has(name)) throw new TypeError(`Tool "${name}" is already registered`);
    const tool = buildTool(name, config, handler);
    this.tools.set(name, tool);
    return {
      remove: () => this.tools.delete(name),
      enable: () => this.toggle(tool, true),
      disable: () => this.toggle(tool, false),
    };
  }

  resource(uri: string, config: ResourceConfig, handler: ResourceHandler): Registration {
    if (this.resources.has(uri)) throw new TypeError(`Resource "${uri}" is already registered`);
    this.resources.set(uri, buildResource(uri, config, handler));
    return { remove: () => this.resources.delete(uri) };
  }

  resourceTemplate(
    uriTemplate: string,
    config: ResourceTemplateConfig,
    handler: TemplateHandler,
  ): Registration {
    if (this.templates.has(uriTemplate))
      throw new TypeError(`Resource template "${uriTemplate}" is already registered`);
    this.templates.set(uriTemplate, buildTemplate(uriTemplate, config, handler));
    return { remove: () => this.templates.delete(uriTemplate) };
  }

  prompt(name: string, config: PromptConfig, handler: PromptHandler): Registration {
    if (this.prompts.has(name)) throw new TypeError(`Prompt "${name}" is already registered`);
    this.prompts.set(name, buildPrompt(name, config, handler));
    return { remove: () => this.prompts.delete(name) };
  }

  /** The largest message accepted (`limits.maxMessageLength`); stdio sizes its line buffer by it. */
  get maxMessageLength(): number {
    return this.options.limits?.maxMessageLength ?? DEFAULT_DECODE_LIMITS.maxMessageLength;
  }

  /** Adds an onion middleware around every incoming request. */
  use(middleware: ServerMiddleware): this {
    this.middleware.push(middleware);
    this.chain = undefined;
    return this;
  }

  /** Serves one transport connection until it closes. */
  async connect(transport: Transport): Promise<ServerConnection> {
    const { maxInFlightRequests, maxPendingRequests, ...decodeLimits } = this.options.limits ?? {};
    const peerOptions = {
      limits: decodeLimits,
      ...(maxInFlightRequests !== undefined ? { maxInFlightRequests } : {}),
      ...(maxPendingRequests !== undefined ? { maxPendingRequests } : {}),
    };
    const connection = new ServerConnection(
      this,
      transport,
      peerOptions,
      this.options.requestTimeoutMs ?? 60_000,
    );
    this.connections.add(connection);
    await connection.peer.start();
    return connection;
  }

  /** Tells subscribers that a resource changed (legacy subscribe, modern listen). */
  async notifyResourceUpdated(uri: string): Promise<void> {
    const sends: Promise<void>[] = [];
    for (const c of this.connections) {
      if (c.session?.initialized && c.session.subscriptions.has(uri))
        sends.push(c.session.notify('notifications/resources/updated', { uri }));
    }
    for (const l of this.listens) {
      if (l.filter.resourceSubscriptions?.includes(uri))
        sends.push(this.sendOnStream(l, 'notifications/resources/updated', { uri }));
    }
    await Promise.allSettled(sends);
  }

  /** Called when a legacy client reports that its roots changed. */
  onRootsListChanged(listener: (connection: ServerConnection) => void): Registration {
    this.rootsListeners.add(listener);
    return { remove: () => this.rootsListeners.delete(listener) };
  }

  /**
   * Ends listen streams gracefully (a final listen result), lets requests in flight finish for up
   * to `graceMs`, answers those still running with an error, then closes every connection.
   */
  async close(graceMs = 2000): Promise<void> {
    for (const l of [...this.listens]) l.end();
    await Promise.allSettled([...this.connections].map((c) => c.peer.drain(graceMs)));
    const shutdown = new McpError(
      ErrorCode.ConnectionClosed,
      `The server shut down before the request finished (grace period ${graceMs} ms)`,
    );
    await Promise.allSettled([...this.connections].map((c) => c.peer.failInFlight(shutdown)));
    await Promise.allSettled([...this.connections].map((c) => c.peer.close()));
  }

  // ---- ServerCore: what method handlers and connections use ----

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

  taskOrThrow(taskId: string): Promise<TaskRecord> {
    return this.taskHost.get(taskId);
  }

  runningTask(taskId: string): RunningTask | undefined {
    return this.taskHost.runningTask(taskId);
  }

  cancelTask(taskId: string): Promise<void> {
    return this.taskHost.cancel(taskId);
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

  /** Runs the middleware chain around a method handler (or a given final step). */
  run(ctx: HandlerContext, final?: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
    if (final)
      return compose(this.middleware as Middleware<HandlerContext, Record<string, unknown>>[], final)(ctx);
    this.chain ??= compose(this.middleware as Middleware<HandlerContext, Record<string, unknown>>[], (c) =>
      methods[c.method]!(this, c, c.params),
    );
    return this.chain(ctx);
  }

  detach(connection: ServerConnection): void {
    this.connections.delete(connection);
  }

  emitRootsChanged(connection: ServerConnection): void {
    for (const listener of this.rootsListeners) listener(connection);
  }

  /** `notifications/tasks`: the whole DetailedTask, to listen streams that asked for the task. */
  private taskChanged(task: TaskRecord): void {
    for (const l of this.listens) {
      if (l.filter.taskIds?.includes(task.taskId))
        void this.sendOnStream(l, 'notifications/tasks', { ...task }).catch(() => {});
    }
  }

  private toggle(tool: RegisteredTool, enabled: boolean): void {
    if (tool.enabled === enabled) return;
    tool.enabled = enabled;
    this.listChanged('tools');
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

import { Peer, type Progress, type RequestOptions } from '../engine/peer.js';
import type { SessionSpan, Telemetry } from '../engine/telemetry.js';
import type { Transport } from '../engine/transport.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import { isRecord } from '../protocol/is-record.js';
import type { JsonRpcNotification } from '../protocol/jsonrpc.js';
import { META, TASKS_EXTENSION } from '../protocol/meta.js';
import {
  type Era,
  LATEST_LEGACY_REVISION,
  type LegacyRevision,
  MODERN_REVISIONS,
  type ModernRevision,
  type Revision,
} from '../protocol/revisions.js';
import type {
  CallToolResult,
  ClientCapabilities,
  Implementation,
  LoggingLevel,
  Prompt,
  PromptMessage,
  Resource,
  ResourceContents,
  ResourceTemplate,
  ServerCapabilities,
  Task,
  Tool,
} from '../protocol/schemas/index.js';
import { ClientError } from './errors.js';
import { type ClientEvents, Emitter } from './events.js';
import { answerInput, capabilitiesOf, type InputHandlers } from './input-handlers.js';
import { ListCache } from './list-cache.js';
import { envelope, initialize, probe, type ServerIdentity } from './negotiate.js';
import { OutputValidator } from './output-validator.js';
import {
  backoff,
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
  hintsOf,
  isTransient,
  type RetryPolicy,
  safeToRepeat,
  type ToolHints,
} from './resilience.js';
import { checkResult } from './result-check.js';
import { type RoundOptions, withInputs } from './rounds.js';
import { type Subscription, type SubscriptionRequest, subscribe } from './subscriptions.js';

export interface ClientOptions extends InputHandlers {
  /** 'auto' probes the modern era and falls back to legacy; the others force an era. */
  era?: 'auto' | 'legacy' | 'modern';
  /** Forces a revision (and so its era). */
  revision?: Revision;
  /** Extra capabilities to declare beyond those the callbacks imply (extensions, experimental). */
  capabilities?: ClientCapabilities;
  requestTimeoutMs?: number;
  /** How long the `server/discover` probe waits before taking the server for a legacy one. */
  probeTimeoutMs?: number;
  /** Most MRTR rounds for one call before it fails. */
  maxInputRounds?: number;
  /** Most pages one listing follows (iterators and `all*`) before it fails. Default 1,000. */
  maxListPages?: number;
  /**
   * Declare the tasks extension (default true): a server may then answer a tool call with a task,
   * which `callTool` follows (polling, answering input requests) to its result.
   */
  tasks?: boolean;
  /**
   * Requests that are safe to repeat (reads, lists, and tools that declare themselves read-only
   * or idempotent) are retried after a transient failure, with backoff and full jitter, honouring
   * the server's Retry-After. Other tool calls are never sent twice. Default `{ retries: 3 }`;
   * false: no retries.
   */
  retry?: RetryPolicy | false;
  /** A circuit breaker for this server: after repeated failures requests fail at once for a while. Off by default. */
  circuitBreaker?: CircuitBreakerOptions;
  /**
   * Spans and metrics for every request (`otelTelemetry()` from mcpkit/otel); the trace context
   * travels to the server in `_meta`. Absent: nothing is measured.
   */
  telemetry?: Telemetry;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Progress restarts `timeoutMs`; the call still ends after this long in all. Default 10 times `timeoutMs`. */
  maxTotalTimeoutMs?: number;
  onProgress?: (progress: Progress) => void;
  /** Modern era: the lowest log level this request wants as `notifications/message`. */
  logLevel?: LoggingLevel;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
  /** Modern era: how long this page may be cached. */
  ttlMs?: number;
}

/** A `resources/read` result. */
export interface ReadResourceResult {
  contents: ResourceContents[];
  /** Modern era: how long the contents may be cached, in milliseconds. */
  ttlMs?: number;
  /** Modern era: whether a shared cache may keep them (`public`) or only this client (`private`). */
  cacheScope?: 'public' | 'private';
}

/** MRTR is possible on these methods only (2026-07-28 mrtr, "Supported Requests"). */
const MRTR_METHODS = new Set(['tools/call', 'resources/read', 'prompts/get']);

/**
 * An MCP client for both eras. `connect` finds the server's era (probe, then fallback) and pins
 * it; every call after that is the same code for both.
 */
export class Client {
  private peer?: Peer;
  private transport?: Transport;
  private session?: { era: Era; revision: Revision; server: ServerIdentity };
  private logLevel?: LoggingLevel;
  private envelopeBase?: Record<string, unknown>;
  private readonly emitter = new Emitter<ClientEvents>();
  private readonly cache = new ListCache();
  private readonly outputs = new OutputValidator();
  /** What listed tools say of themselves: whether a failed call may be sent again. */
  private readonly hints = new Map<string, ToolHints>();
  private breaker?: CircuitBreaker;
  private sessionSpan?: SessionSpan;
  /** Listen streams waiting for their acknowledgment, by request id. */
  private readonly acknowledgments = new Map<string | number, (params: Record<string, unknown>) => void>();

  constructor(
    readonly info: Implementation,
    private readonly options: ClientOptions = {},
  ) {
    if (options.circuitBreaker)
      this.breaker = new CircuitBreaker(options.circuitBreaker, (state) =>
        this.emitter.emit('circuit', state),
      );
  }

  /** The circuit breaker's state, when there is one. */
  get circuit(): CircuitState | undefined {
    return this.breaker?.state;
  }

  get era(): Era | undefined {
    return this.session?.era;
  }
  get protocolVersion(): Revision | undefined {
    return this.session?.revision;
  }
  get serverInfo(): Implementation | undefined {
    return this.session?.server.info;
  }
  get serverCapabilities(): ServerCapabilities | undefined {
    return this.session?.server.capabilities;
  }
  get instructions(): string | undefined {
    return this.session?.server.instructions;
  }

  /** The capabilities declared to the server in the given era. */
  private capabilities(era: Era): ClientCapabilities {
    const caps: ClientCapabilities = { ...this.options.capabilities, ...capabilitiesOf(this.options, era) };
    if (era === 'modern' && this.options.tasks !== false) {
      caps.extensions = { ...caps.extensions, [TASKS_EXTENSION]: {} };
    }
    return caps;
  }

  on<K extends keyof ClientEvents>(event: K, listener: (...args: ClientEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  async connect(transport: Transport): Promise<void> {
    this.transport = transport;
    this.envelopeBase = undefined;
    const forced = this.options.revision;
    const choice = forced
      ? MODERN_REVISIONS.includes(forced as ModernRevision)
        ? 'modern'
        : 'legacy'
      : (this.options.era ?? 'auto');
    await this.open();
    const timeoutMs = this.options.requestTimeoutMs ?? 60_000;
    if (choice !== 'legacy') {
      const preferred = forced ? [forced as ModernRevision] : MODERN_REVISIONS;
      const probeTimeout = choice === 'modern' ? timeoutMs : (this.options.probeTimeoutMs ?? 5000);
      const outcome = await probe(
        this.peer!,
        preferred,
        this.info,
        this.capabilities('modern'),
        probeTimeout,
      );
      if (outcome.kind === 'modern') {
        this.session = { era: 'modern', revision: outcome.revision, server: outcome.server };
        return;
      }
      if (choice === 'modern') {
        await this.close();
        throw new ClientError(
          'protocol-mismatch',
          `The server is not a modern (2026-07-28) MCP server: ${outcome.kind === 'closed' ? 'it closed the connection' : outcome.reason}`,
        );
      }
      // Some legacy servers exit on an unknown request before initialize: start them again.
      if (outcome.kind === 'closed') await this.open();
    }
    const revision = (forced as LegacyRevision | undefined) ?? LATEST_LEGACY_REVISION;
    try {
      const opened = await initialize(
        this.peer!,
        revision,
        this.info,
        this.capabilities('legacy'),
        timeoutMs,
      );
      this.session = { era: 'legacy', revision: opened.revision, server: opened.server };
      this.peer!.protocolVersion = opened.revision;
      this.sessionSpan = this.options.telemetry?.session('client', opened.revision, this.transport.network);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  private async open(): Promise<void> {
    const peer = new Peer(
      this.transport!,
      {
        onRequest: (incoming) =>
          answerInput(this.options, incoming.message.method, incoming.message.params ?? {}, incoming.signal),
        onNotification: (n) => this.onNotification(n),
        onClose: (error) => {
          if (this.peer !== peer) return;
          this.sessionSpan?.end(error);
          this.sessionSpan = undefined;
          this.emitter.emit('close', error);
        },
      },
      {
        defaultTimeoutMs: this.options.requestTimeoutMs ?? 60_000,
        ...(this.options.telemetry ? { telemetry: this.options.telemetry } : {}),
      },
    );
    this.peer = peer;
    await peer.start();
  }

  async close(): Promise<void> {
    await this.peer?.close();
  }

  /**
   * Any request, with the era's envelope and, where allowed, the MRTR loop; through the circuit
   * breaker, and retried after a transient failure when it is safe to repeat.
   */
  async request(
    method: string,
    params: Record<string, unknown> = {},
    options: CallOptions = {},
  ): Promise<Record<string, unknown>> {
    const policy = this.options.retry === false ? undefined : (this.options.retry ?? {});
    const repeatable =
      policy !== undefined && safeToRepeat(method, this.hints.get(String(params.name ?? '')));
    for (let attempt = 0; ; attempt++) {
      this.breaker?.admit();
      try {
        const result = await this.send(method, params, options);
        this.breaker?.record(true);
        return result;
      } catch (error) {
        const transient = isTransient(error);
        this.breaker?.record(!transient); // a refusal of a bad request is an answer, not a failure
        const delay =
          repeatable && transient && attempt < (policy?.retries ?? 3) && !options.signal?.aborted
            ? backoff(attempt, policy ?? {}, error)
            : undefined;
        if (delay === undefined || !this.peer || this.peer.isClosed) throw error;
        this.emitter.emit('retry', { method, attempt: attempt + 1, delayMs: delay, error: error as Error });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async send(
    method: string,
    params: Record<string, unknown>,
    options: CallOptions,
  ): Promise<Record<string, unknown>> {
    const peer = this.peer;
    const session = this.session;
    if (!peer || !session || peer.isClosed)
      throw new ClientError('not-connected', 'The client is not connected');
    const requestOptions: RequestOptions = {
      timeoutMs: options.timeoutMs ?? this.options.requestTimeoutMs ?? 60_000,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress, resetTimeoutOnProgress: true } : {}),
      ...(options.maxTotalTimeoutMs !== undefined ? { maxTotalTimeoutMs: options.maxTotalTimeoutMs } : {}),
    };
    if (session.era === 'legacy')
      return checkResult(session.revision, method, await peer.request(method, params, requestOptions));
    const body = {
      ...params,
      _meta: { ...(params._meta as object), ...this.modernEnvelope(options.logLevel) },
    };
    const result = MRTR_METHODS.has(method)
      ? await withInputs(peer, method, body, requestOptions, this.rounds())
      : await peer.request(method, body, requestOptions);
    const checked = checkResult(session.revision, method, result);
    // resultType is wire vocabulary of the modern era; callers see the same results in both eras.
    delete checked.resultType;
    return checked;
  }

  /** Listed tools: their output schemas, and whether a call may be repeated. */
  private learn(tools: readonly Tool[]): void {
    // A tool without a string name cannot be called by name: nothing to learn of it.
    const named = tools.filter((tool) => typeof tool.name === 'string');
    this.outputs.remember(named);
    for (const tool of named) this.hints.set(tool.name, hintsOf(tool));
  }

  /** What the MRTR and task loops need of this client. */
  private rounds(): RoundOptions {
    return {
      handlers: this.options,
      maxRounds: this.options.maxInputRounds ?? 8,
      envelope: () => this.modernEnvelope(),
    };
  }

  private onNotification(n: JsonRpcNotification): void {
    const params = n.params ?? {};
    switch (n.method) {
      case 'notifications/tools/list_changed':
        this.cache.invalidate('tools/list');
        this.emitter.emit('toolsChanged');
        break;
      case 'notifications/prompts/list_changed':
        this.cache.invalidate('prompts/list');
        this.emitter.emit('promptsChanged');
        break;
      case 'notifications/resources/list_changed':
        this.cache.invalidate('resources/list');
        this.cache.invalidate('resources/templates/list');
        this.emitter.emit('resourcesChanged');
        break;
      case 'notifications/resources/updated':
        this.emitter.emit('resourceUpdated', String(params.uri));
        break;
      case 'notifications/message':
        this.emitter.emit('log', params as ClientEvents['log'][0]);
        break;
      case 'notifications/subscriptions/acknowledged': {
        const id = (params._meta as Record<string, unknown> | undefined)?.[META.subscriptionId] as
          | string
          | number;
        this.acknowledgments.get(id)?.(params);
        break;
      }
    }
  }

  // ---- typed calls ----

  /** Legacy `ping`; on a modern server (no ping) a `server/discover` round trip. */
  async ping(options?: CallOptions): Promise<void> {
    await this.request(this.era === 'modern' ? 'server/discover' : 'ping', {}, options);
  }

  /** Modern era: the server's versions, capabilities and identity. */
  async discover(options?: CallOptions): Promise<Record<string, unknown>> {
    if (this.era !== 'modern')
      throw new ClientError('unsupported', 'server/discover exists only in the modern era');
    return this.request('server/discover', {}, options);
  }

  async listTools(cursor?: string, options?: CallOptions): Promise<Page<Tool>> {
    const page = await this.page<Tool>('tools/list', 'tools', cursor, options);
    this.learn(page.items);
    return page;
  }
  tools(options?: CallOptions): AsyncIterable<Tool> {
    return this.iterate((cursor) => this.listTools(cursor, options));
  }
  /** Every tool, from the cache while it is fresh. */
  allTools(options?: CallOptions): Promise<Tool[]> {
    return this.all('tools/list', 'tools', options, (items) => this.learn(items as Tool[]));
  }

  async callTool(
    name: string,
    args: Record<string, unknown> = {},
    options?: CallOptions,
  ): Promise<CallToolResult> {
    const result = (await this.request(
      'tools/call',
      { name, arguments: args },
      options,
    )) as unknown as CallToolResult;
    if (!result.isError) {
      const problem = this.outputs.check(name, result.structuredContent);
      if (problem)
        throw new ClientError(
          'invalid-output',
          `Tool ${name} returned output that fails its outputSchema: ${problem}`,
        );
    }
    return result;
  }

  /**
   * 2025-11-25 tasks: starts a tool call as a task (`params.task`) and returns the task at once;
   * follow it with `getTask`, fetch its result with `getTaskResult`.
   */
  async callToolAsTask(
    name: string,
    args: Record<string, unknown> = {},
    ttlMs?: number,
    options?: CallOptions,
  ): Promise<Task> {
    this.requireRevision('2025-11-25', 'tasks');
    const result = await this.request(
      'tools/call',
      { name, arguments: args, task: ttlMs === undefined ? {} : { ttl: ttlMs } },
      options,
    );
    return (result as { task: Task }).task;
  }
  async getTask(taskId: string, options?: CallOptions): Promise<Task> {
    this.requireRevision('2025-11-25', 'tasks');
    return (await this.request('tasks/get', { taskId }, options)) as unknown as Task;
  }
  /** Waits (server-side) for the task to finish and returns what its request returned. */
  async getTaskResult(taskId: string, options?: CallOptions): Promise<Record<string, unknown>> {
    this.requireRevision('2025-11-25', 'tasks');
    return this.request('tasks/result', { taskId }, options);
  }
  async listTasks(cursor?: string, options?: CallOptions): Promise<Page<Task>> {
    this.requireRevision('2025-11-25', 'tasks');
    return this.page('tasks/list', 'tasks', cursor, options);
  }
  async cancelTask(taskId: string, options?: CallOptions): Promise<Task> {
    this.requireRevision('2025-11-25', 'tasks');
    return (await this.request('tasks/cancel', { taskId }, options)) as unknown as Task;
  }

  private requireRevision(revision: Revision, what: string): void {
    if (this.protocolVersion !== revision) {
      throw new ClientError(
        'unsupported',
        `${what} need protocol revision ${revision}; this connection speaks ${this.protocolVersion}`,
      );
    }
  }

  listResources(cursor?: string, options?: CallOptions): Promise<Page<Resource>> {
    return this.page('resources/list', 'resources', cursor, options);
  }
  resources(options?: CallOptions): AsyncIterable<Resource> {
    return this.iterate((cursor) => this.listResources(cursor, options));
  }
  allResources(options?: CallOptions): Promise<Resource[]> {
    return this.all('resources/list', 'resources', options);
  }
  listResourceTemplates(cursor?: string, options?: CallOptions): Promise<Page<ResourceTemplate>> {
    return this.page('resources/templates/list', 'resourceTemplates', cursor, options);
  }
  resourceTemplates(options?: CallOptions): AsyncIterable<ResourceTemplate> {
    return this.iterate((cursor) => this.listResourceTemplates(cursor, options));
  }
  allResourceTemplates(options?: CallOptions): Promise<ResourceTemplate[]> {
    return this.all('resources/templates/list', 'resourceTemplates', options);
  }
  async readResource(uri: string, options?: CallOptions): Promise<ReadResourceResult> {
    return (await this.request('resources/read', { uri }, options)) as unknown as ReadResourceResult;
  }

  listPrompts(cursor?: string, options?: CallOptions): Promise<Page<Prompt>> {
    return this.page('prompts/list', 'prompts', cursor, options);
  }
  prompts(options?: CallOptions): AsyncIterable<Prompt> {
    return this.iterate((cursor) => this.listPrompts(cursor, options));
  }
  allPrompts(options?: CallOptions): Promise<Prompt[]> {
    return this.all('prompts/list', 'prompts', options);
  }
  async getPrompt(name: string, args: Record<string, string> = {}, options?: CallOptions) {
    return (await this.request('prompts/get', { name, arguments: args }, options)) as {
      description?: string;
      messages: PromptMessage[];
    };
  }

  async complete(
    ref: { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string },
    argument: { name: string; value: string },
    context?: Record<string, string>,
    options?: CallOptions,
  ): Promise<{ values: string[]; total?: number; hasMore?: boolean }> {
    const params = { ref, argument, ...(context ? { context: { arguments: context } } : {}) };
    return (
      (await this.request('completion/complete', params, options)) as { completion: { values: string[] } }
    ).completion;
  }

  /** Legacy: `logging/setLevel`. Modern: the level travels in every later request's `_meta`. */
  async setLoggingLevel(level: LoggingLevel, options?: CallOptions): Promise<void> {
    if (this.era === 'legacy') await this.request('logging/setLevel', { level }, options);
    this.logLevel = level;
  }

  /** Change notifications, one API for both eras: `resources/subscribe` (legacy) or a listen stream (modern). */
  subscribe(request: SubscriptionRequest): Promise<Subscription> {
    if (!this.peer || !this.session) throw new ClientError('not-connected', 'The client is not connected');
    const subscriber = {
      request: (method: string, params?: Record<string, unknown>) => this.request(method, params),
      serverCapabilities: this.serverCapabilities,
      modernEnvelope: () => this.modernEnvelope(),
      acknowledgments: this.acknowledgments,
    };
    return subscribe(subscriber, this.peer, this.session.era, request);
  }

  /** Envelope for modern requests sent outside `request` (listen streams). */
  private modernEnvelope(logLevel = this.logLevel): Record<string, unknown> {
    // Version, identity and capabilities do not change during a session: built once.
    this.envelopeBase ??= envelope(
      this.session!.revision as ModernRevision,
      this.info,
      this.capabilities('modern'),
    );
    return logLevel ? { ...this.envelopeBase, [META.logLevel]: logLevel } : this.envelopeBase;
  }

  private async page<T>(
    method: string,
    key: string,
    cursor: string | undefined,
    options?: CallOptions,
  ): Promise<Page<T>> {
    const result = await this.request(method, cursor ? { cursor } : {}, options);
    const items = result[key];
    if (!Array.isArray(items))
      throw new McpError(ErrorCode.InvalidParams, `The server's ${method} result has no ${key} list`);
    return {
      // An item that is not an object (null, a string) is no tool, prompt or resource: it is left
      // out rather than met by the caller's code (or ours) as a TypeError.
      items: items.filter(isRecord) as T[],
      ...(typeof result.nextCursor === 'string' ? { nextCursor: result.nextCursor } : {}),
      ...(typeof result.ttlMs === 'number' ? { ttlMs: result.ttlMs } : {}),
    };
  }

  private async *iterate<T>(fetchPage: (cursor?: string) => Promise<Page<T>>): AsyncIterable<T> {
    for await (const page of this.pages(fetchPage)) yield* page.items;
  }

  /** Follows nextCursor, bounded: a server that repeats a cursor, or never stops, would page forever. */
  private async *pages<T>(fetchPage: (cursor?: string) => Promise<Page<T>>): AsyncIterable<Page<T>> {
    const maxPages = this.options.maxListPages ?? 1000;
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      if (seen.size >= maxPages)
        throw new McpError(
          ErrorCode.InvalidParams,
          `The server sent more than ${maxPages} pages (maxListPages)`,
        );
      const page = await fetchPage(cursor);
      yield page;
      cursor = page.nextCursor;
      if (cursor !== undefined && seen.has(cursor))
        throw new McpError(ErrorCode.InvalidParams, 'The server repeated a pagination cursor');
      if (cursor !== undefined) seen.add(cursor);
    } while (cursor !== undefined);
  }

  private async all<T>(
    method: string,
    key: string,
    options?: CallOptions,
    onFresh?: (items: T[]) => void,
  ): Promise<T[]> {
    const cached = this.cache.get<T>(method);
    if (cached) return cached;
    const items: T[] = [];
    let lifetime = Number.POSITIVE_INFINITY;
    for await (const page of this.pages((cursor) => this.page<T>(method, key, cursor, options))) {
      items.push(...page.items);
      if (page.ttlMs !== undefined) lifetime = Math.min(lifetime, page.ttlMs);
    }
    onFresh?.(items);
    // Legacy: keep until list_changed, if the server promised to send it; modern: for ttlMs.
    const kind = method.split('/')[0] as 'tools' | 'prompts' | 'resources';
    const promised =
      (this.serverCapabilities?.[kind] as { listChanged?: boolean } | undefined)?.listChanged === true;
    this.cache.set(
      method,
      items,
      this.era === 'modern'
        ? lifetime === Number.POSITIVE_INFINITY
          ? 0
          : lifetime
        : promised
          ? lifetime
          : 0,
    );
    return items;
  }
}

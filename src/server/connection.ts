import type { IncomingRequest } from '../engine/peer.js';
import { Peer, type PeerOptions } from '../engine/peer.js';
import type { Transport } from '../engine/transport.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import type { JsonRpcMessage, JsonRpcNotification } from '../protocol/jsonrpc.js';
import { META } from '../protocol/meta.js';
import {
  featuresOf,
  isLegacyRevision,
  type LegacyRevision,
  type ModernRevision,
  type Revision,
  requestEra,
} from '../protocol/revisions.js';
import { r2025_11_25, schemasFor } from '../protocol/schemas/index.js';
import { HandlerContext, modernLogLevel } from './context.js';
import type { LegacySession } from './core.js';
import { type InputAsker, RequestAsker } from './input.js';
import type { McpServer } from './mcp-server.js';
import { methods } from './methods.js';
import { MrtrRound } from './mrtr.js';
import { bindingOf } from './request-state.js';
import type { RequestScope } from './scope.js';
import { shapeError, shapeLegacy, shapeModern } from './shape.js';
import { TASKS_EXTENSION } from './tasks.js';

/** MRTR is allowed on these methods only (2026-07-28 mrtr, "Supported Requests"). */
const MRTR_METHODS = new Set(['tools/call', 'resources/read', 'prompts/get']);
const MODERN_ONLY = new Set(['server/discover', 'subscriptions/listen']);
let connections = 0;

const noInput: InputAsker = {
  ask: () =>
    Promise.reject(
      new McpError(
        ErrorCode.InternalError,
        'Input requests are only possible in tools/call, resources/read and prompts/get',
      ),
    ),
};

/** The methods a revision defines that mcpkit serves, computed once per revision. */
const servedMethods = new Map<Revision, Set<string>>();
function served(revision: Revision): Set<string> {
  let set = servedMethods.get(revision);
  if (!set) {
    set = new Set(Object.keys(schemasFor(revision).clientRequests).filter((m) => m in methods));
    servedMethods.set(revision, set);
  }
  return set;
}

function invalidParams(method: string, issues: { path: PropertyKey[]; message: string }[]): McpError {
  const detail = issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  return new McpError(ErrorCode.InvalidParams, `Invalid params for ${method}: ${detail}`);
}

function validate(revision: Revision, method: string, params: unknown): Record<string, any> {
  const schema = schemasFor(revision).clientRequests[method]!.params;
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw invalidParams(method, parsed.error.issues);
  return (parsed.data ?? {}) as Record<string, any>;
}

/**
 * One transport connection to one client. The era of each request is decided here and only here:
 * a request with a modern protocol version in `_meta` is served statelessly; anything else belongs
 * to the legacy session that `initialize` opened on this connection.
 */
export class ServerConnection {
  readonly peer: Peer;
  session?: LegacySession;
  /** Set while initialize runs, so that pipelined requests wait for the session it opens. */
  private initializing?: Promise<unknown>;
  /** Who this connection serves, for per-client bounds. */
  readonly clientKey: string;

  constructor(
    private readonly server: McpServer,
    transport: Transport,
    peerOptions: PeerOptions,
    private readonly requestTimeoutMs: number,
  ) {
    this.clientKey = transport.clientKey ?? `connection:${++connections}`;
    this.peer = new Peer(
      transport,
      {
        onRequest: (incoming) => this.onRequest(incoming),
        onNotification: (n) => this.onNotification(n),
        onClose: () => this.server.detach(this),
        batchPolicy: (items) => this.batchPolicy(items),
      },
      peerOptions,
    );
  }

  private async onRequest(incoming: IncomingRequest): Promise<Record<string, unknown>> {
    const version = (incoming.message.params?._meta as Record<string, unknown> | undefined)?.[
      META.protocolVersion
    ];
    // A request naming its version in _meta is modern; initialize among them is a removed method.
    if (requestEra(version) === 'modern') return this.serveModern(incoming, version);
    return this.serveLegacy(incoming);
  }

  private async serveModern(incoming: IncomingRequest, version: unknown): Promise<Record<string, unknown>> {
    const { method } = incoming.message;
    const supported = this.server.modernRevisions;
    if (!supported.includes(version as ModernRevision)) {
      // Legacy revisions are listed too: a dual-era client can then fall back to initialize.
      throw new McpError(ErrorCode.UnsupportedProtocolVersion, 'Unsupported protocol version', {
        supported: [...supported, ...this.server.legacyRevisions],
        requested: String(version),
      });
    }
    const revision = version as ModernRevision;
    if (!served(revision).has(method))
      throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
    const params = validate(revision, method, incoming.message.params);
    const meta = params._meta as Record<string, any>;
    const features = featuresOf(revision);
    const scope: RequestScope = {
      era: 'modern',
      revision,
      features,
      clientKey: this.clientKey,
      client: {
        capabilities: meta[META.clientCapabilities],
        ...(meta[META.clientInfo] ? { info: meta[META.clientInfo] } : {}),
      },
      incoming,
      logLevel: modernLogLevel(meta),
      asker: noInput,
      // Tasks only for clients that declared the extension on this request (SEP-2663).
      ...(meta[META.clientCapabilities]?.extensions?.[TASKS_EXTENSION] && this.server.supportsTasks
        ? { tasks: this.server.taskHost }
        : {}),
    };
    const ctx = new HandlerContext(scope, params);
    try {
      const result = MRTR_METHODS.has(method)
        ? await this.runWithInputs(ctx, params)
        : await this.server.run(ctx);
      return shapeModern(method, result, this.server.cacheHint);
    } catch (error) {
      throw shapeError(error, features);
    }
  }

  /**
   * Runs a handler under MRTR: verified answers from earlier rounds plus this retry's input
   * responses feed the replay; an unanswered input call ends the request with an
   * InputRequiredResult whose signed requestState carries everything answered so far.
   */
  private async runWithInputs(
    ctx: HandlerContext,
    params: Record<string, any>,
  ): Promise<Record<string, unknown>> {
    const codec = this.server.requestState;
    const target = String(params.name ?? params.uri ?? '');
    let answers: Record<string, unknown> = {};
    if (typeof params.requestState === 'string') {
      const state = await codec.open(
        params.requestState,
        await bindingOf(ctx.method, target, params.arguments),
      );
      answers = { ...state.answers };
      for (const key of state.asked) {
        const answer = params.inputResponses?.[key];
        if (answer !== undefined) answers[key] = answer;
      }
    }
    const round = new MrtrRound(answers, ctx.client.capabilities);
    ctx.scope.asker = round;
    try {
      const result = await this.server.run(ctx);
      if (!round.isPending) return result;
    } catch (error) {
      if (!round.isPending) throw error;
    }
    const requestState = await codec.seal({
      bind: await bindingOf(ctx.method, target, params.arguments),
      answers,
      asked: Object.keys(round.asked),
      exp: Date.now() + codec.ttlMs,
    });
    return { resultType: 'input_required', inputRequests: round.asked, requestState };
  }

  private async serveLegacy(incoming: IncomingRequest): Promise<Record<string, unknown>> {
    const { method } = incoming.message;
    if (method === 'initialize') {
      if (this.session || this.initializing)
        throw new McpError(ErrorCode.InvalidRequest, 'The session is already initialized');
      const opening = this.initialize(incoming);
      this.initializing = opening.then(
        () => (this.initializing = undefined),
        () => (this.initializing = undefined),
      );
      return opening;
    }
    if (method === 'ping') return {};
    if (!this.session && this.initializing) await this.initializing;
    const session = this.session;
    if (!session) {
      if (MODERN_ONLY.has(method)) {
        throw new McpError(
          ErrorCode.InvalidParams,
          `${method} needs _meta["${META.protocolVersion}"] (MCP 2026-07-28)`,
        );
      }
      throw new McpError(ErrorCode.InvalidRequest, `Received ${method} before initialize`);
    }
    if (!served(session.revision).has(method))
      throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
    const params = validate(session.revision, method, incoming.message.params);
    const scope: RequestScope = {
      era: 'legacy',
      revision: session.revision,
      features: session.features,
      client: session.client,
      clientKey: this.clientKey,
      incoming,
      logLevel: session.logLevel,
      asker: new RequestAsker(incoming, session.client.capabilities, session.features, this.requestTimeoutMs),
      session,
    };
    const result = await this.server.run(new HandlerContext(scope, params));
    return shapeLegacy(method, result, session.features);
  }

  /** Legacy lifecycle: agree on a revision (the client's if served, else our newest) and open the session. */
  private async initialize(incoming: IncomingRequest): Promise<Record<string, unknown>> {
    const parsed = r2025_11_25.InitializeParams.safeParse(incoming.message.params);
    if (!parsed.success) throw invalidParams('initialize', parsed.error.issues);
    const params = parsed.data;
    const offered = this.server.legacyRevisions;
    const revision: LegacyRevision =
      isLegacyRevision(params.protocolVersion) && offered.includes(params.protocolVersion)
        ? params.protocolVersion
        : offered[0]!;
    const features = featuresOf(revision);
    const client = { info: params.clientInfo, capabilities: params.capabilities };
    const scope: RequestScope = {
      era: 'legacy',
      revision,
      features,
      client,
      clientKey: this.clientKey,
      incoming,
      asker: noInput,
    };
    const result = await this.server.run(new HandlerContext(scope, params), async () => ({
      protocolVersion: revision,
      capabilities: this.server.capabilities(),
      serverInfo: this.server.info,
      ...(this.server.instructions ? { instructions: this.server.instructions } : {}),
    }));
    this.session = {
      revision,
      features,
      client,
      logLevel: 'debug',
      subscriptions: new Set(),
      initialized: false,
      notify: (m, p) => this.peer.notify(m, p),
    };
    return result;
  }

  /**
   * Stateless legacy HTTP: serve requests as if `initialize` had opened a session at `revision`,
   * with a client that declared no capabilities (each request stands alone).
   */
  assumeSession(revision: LegacyRevision): void {
    this.session = {
      revision,
      features: featuresOf(revision),
      client: { capabilities: {} },
      logLevel: 'debug',
      subscriptions: new Set(),
      initialized: true,
      notify: (m, p) => this.peer.notify(m, p),
    };
  }

  private onNotification(notification: JsonRpcNotification): void {
    if (notification.method === 'notifications/initialized' && this.session) this.session.initialized = true;
    else if (notification.method === 'notifications/roots/list_changed') this.server.emitRootsChanged(this);
  }

  /** JSON-RPC batches exist only in 2025-03-26, and never carry initialize. */
  private async batchPolicy(items: JsonRpcMessage[]): Promise<string | undefined> {
    if (!this.session && this.initializing) await this.initializing;
    const revision = this.session?.revision;
    if (!revision || !featuresOf(revision).batches) {
      return `JSON-RPC batches are not supported${revision ? ` by protocol revision ${revision}` : ' before initialize'}`;
    }
    if (items.some((m) => 'method' in m && m.method === 'initialize'))
      return 'initialize must not be part of a batch';
    return undefined;
  }
}

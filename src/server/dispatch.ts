import type { IncomingRequest } from '../engine/peer.js';
import { principalKey } from '../engine/principal.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import { META } from '../protocol/meta.js';
import {
  featuresOf,
  isLegacyRevision,
  type LegacyRevision,
  type ModernRevision,
  type Revision,
} from '../protocol/revisions.js';
import { r2025_11_25, schemasFor } from '../protocol/schemas/index.js';
import { HandlerContext, modernLogLevel } from './context.js';
import type { ServerRuntime } from './core.js';
import { type InputAsker, RequestAsker } from './input.js';
import { methods } from './methods.js';
import { MrtrRound } from './mrtr.js';
import { bindingOf } from './request-state.js';
import type { Caller, LegacySession, RequestScope } from './scope.js';
import { shapeError, shapeLegacy, shapeModern } from './shape.js';
import { TASKS_EXTENSION } from './tasks.js';

/**
 * Serving one request once its era is known: the same functions run for a request that arrives
 * on a connection (stdio, legacy HTTP sessions) and for a one-shot HTTP request with none.
 */

/** MRTR is allowed on these methods only (2026-07-28 mrtr, "Supported Requests"). */
const MRTR_METHODS = new Set(['tools/call', 'resources/read', 'prompts/get']);
const MODERN_ONLY = new Set(['server/discover', 'subscriptions/listen']);

export const noInput: InputAsker = {
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

export function invalidParams(method: string, issues: { path: PropertyKey[]; message: string }[]): McpError {
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

/** A request without a session: modern, or legacy before `initialize` (an error that says so). */
export function refuseSessionless(method: string): McpError {
  if (MODERN_ONLY.has(method)) {
    return new McpError(
      ErrorCode.InvalidParams,
      `${method} needs _meta["${META.protocolVersion}"] (MCP 2026-07-28)`,
    );
  }
  return new McpError(ErrorCode.InvalidRequest, `Received ${method} before initialize`);
}

/**
 * -32022 for a modern version this server does not serve. Legacy revisions are listed too: a
 * dual-era client can then fall back to initialize.
 */
export function unsupportedVersion(
  runtime: Pick<ServerRuntime, 'modernRevisions' | 'legacyRevisions'>,
  requested: unknown,
): McpError {
  return new McpError(ErrorCode.UnsupportedProtocolVersion, 'Unsupported protocol version', {
    supported: [...runtime.modernRevisions, ...runtime.legacyRevisions],
    requested: String(requested),
  });
}

/**
 * A modern request (its version named in `_meta`): served statelessly, whatever carried it. Not
 * async, nor are the layers under it on the way to a tool (each would be a promise or two more per
 * request): a request refused before anything runs throws at once, as the callers expect.
 */
export function serveModern(
  runtime: ServerRuntime,
  incoming: IncomingRequest,
  version: unknown,
  caller: Caller,
): Promise<Record<string, unknown>> {
  const { method } = incoming.message;
  if (!runtime.modernRevisions.includes(version as ModernRevision))
    throw unsupportedVersion(runtime, version);
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
    // Both always present (principal may be undefined): every scope has one shape.
    clientKey: caller.clientKey,
    principal: caller.principal,
    client: { capabilities: meta[META.clientCapabilities], info: meta[META.clientInfo] || undefined },
    incoming,
    logLevel: modernLogLevel(meta),
    asker: noInput,
    logger: runtime.logger,
    // Tasks only for clients that declared the extension on this request (SEP-2663).
    tasks:
      meta[META.clientCapabilities]?.extensions?.[TASKS_EXTENSION] && runtime.supportsTasks
        ? runtime.taskHost
        : undefined,
  };
  const ctx = new HandlerContext(scope, params);
  let running: Promise<Record<string, unknown>>;
  try {
    running = MRTR_METHODS.has(method) ? runWithInputs(runtime, ctx, params) : runtime.run(ctx);
  } catch (error) {
    throw shapeError(error, features);
  }
  return running.then(
    (result) => shapeModern(method, result, runtime.cacheHint),
    (error: unknown) => {
      throw shapeError(error, features);
    },
  );
}

/**
 * Runs a handler under MRTR: verified answers from earlier rounds plus this retry's input
 * responses feed the replay; an unanswered input call ends the request with an
 * InputRequiredResult whose signed requestState carries everything answered so far.
 */
function runWithInputs(
  runtime: ServerRuntime,
  ctx: HandlerContext,
  params: Record<string, any>,
): Promise<Record<string, unknown>> {
  return typeof params.requestState === 'string'
    ? resumeRound(runtime, ctx, params)
    : runRound(runtime, ctx, params, {});
}

/** What a requestState is bound to: this method, target and arguments, and the caller. */
function bindingFor(ctx: HandlerContext, params: Record<string, any>): Promise<string> {
  const target = String(params.name ?? params.uri ?? '');
  return bindingOf(ctx.method, target, params.arguments, principalKey(ctx.scope.principal));
}

/** A retry: the state it carries is opened (and checked against this call) before the replay. */
async function resumeRound(
  runtime: ServerRuntime,
  ctx: HandlerContext,
  params: Record<string, any>,
): Promise<Record<string, unknown>> {
  const state = await runtime.requestState.open(params.requestState, await bindingFor(ctx, params));
  const answers: Record<string, unknown> = { ...state.answers };
  for (const key of state.asked) {
    const answer = params.inputResponses?.[key];
    if (answer !== undefined) answers[key] = answer;
  }
  return runRound(runtime, ctx, params, answers);
}

/** One round: the handler's own answer, or, if it asked for input it lacks, input_required. */
function runRound(
  runtime: ServerRuntime,
  ctx: HandlerContext,
  params: Record<string, any>,
  answers: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const round = new MrtrRound(answers, ctx.client.capabilities);
  ctx.scope.asker = round;
  let running: Promise<Record<string, unknown>>;
  try {
    running = runtime.run(ctx);
  } catch (error) {
    running = Promise.reject(error);
  }
  return running.then(
    (result) => (round.isPending ? inputRequired(runtime, ctx, params, answers, round) : result),
    (error: unknown) => {
      if (!round.isPending) throw error;
      return inputRequired(runtime, ctx, params, answers, round);
    },
  );
}

/** The InputRequiredResult: what this round asked, and the sealed state its retry brings back. */
async function inputRequired(
  runtime: ServerRuntime,
  ctx: HandlerContext,
  params: Record<string, any>,
  answers: Record<string, unknown>,
  round: MrtrRound,
): Promise<Record<string, unknown>> {
  const codec = runtime.requestState;
  const requestState = await codec.seal({
    bind: await bindingFor(ctx, params),
    answers,
    asked: Object.keys(round.asked),
    exp: Date.now() + codec.ttlMs,
  });
  return { resultType: 'input_required', inputRequests: round.asked, requestState };
}

/**
 * A legacy request inside a session (opened by `initialize`, or assumed by stateless HTTP). Not
 * async (one promise less per request): invalid params throw at once.
 */
export function serveInSession(
  runtime: ServerRuntime,
  session: LegacySession,
  incoming: IncomingRequest,
  caller: Caller,
): Promise<Record<string, unknown>> {
  const { method } = incoming.message;
  if (!served(session.revision).has(method))
    throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
  const params = validate(session.revision, method, incoming.message.params);
  const scope: RequestScope = {
    era: 'legacy',
    revision: session.revision,
    features: session.features,
    client: session.client,
    clientKey: caller.clientKey,
    principal: caller.principal,
    incoming,
    logLevel: session.logLevel,
    asker: new RequestAsker(
      incoming,
      session.client.capabilities,
      session.features,
      runtime.requestTimeoutMs,
    ),
    session,
    logger: runtime.logger,
  };
  return runtime
    .run(new HandlerContext(scope, params))
    .then((result) => shapeLegacy(method, result, session.features));
}

/**
 * Legacy lifecycle: agree on a revision (the client's if served, else our newest) and describe the
 * session it opens; the caller keeps the session (a connection), or not (stateless HTTP).
 */
export async function serveInitialize(
  runtime: ServerRuntime,
  incoming: IncomingRequest,
  caller: Caller,
): Promise<{ result: Record<string, unknown>; opened: Omit<LegacySession, 'notify'> }> {
  const parsed = r2025_11_25.InitializeParams.safeParse(incoming.message.params);
  if (!parsed.success) throw invalidParams('initialize', parsed.error.issues);
  const params = parsed.data;
  const offered = runtime.legacyRevisions;
  const revision: LegacyRevision =
    isLegacyRevision(params.protocolVersion) && offered.includes(params.protocolVersion)
      ? params.protocolVersion
      : offered[0]!;
  const features = featuresOf(revision);
  const client = { info: params.clientInfo, capabilities: params.capabilities };
  const kept = JSON.stringify(client).length;
  if (kept > runtime.maxClientStateBytes)
    throw new McpError(
      ErrorCode.InvalidParams,
      `The client's capabilities and clientInfo take ${kept} characters as JSON; a session keeps at most ${runtime.maxClientStateBytes} (limits.maxClientStateBytes)`,
      { limit: 'maxClientStateBytes' },
    );
  const scope: RequestScope = {
    era: 'legacy',
    revision,
    features,
    client,
    clientKey: caller.clientKey,
    principal: caller.principal,
    incoming,
    asker: noInput,
    logger: runtime.logger,
  };
  const result = await runtime.run(new HandlerContext(scope, params), async () => ({
    protocolVersion: revision,
    capabilities: runtime.capabilities(),
    serverInfo: runtime.info,
    ...(runtime.instructions ? { instructions: runtime.instructions } : {}),
  }));
  return {
    result,
    opened: { revision, features, client, logLevel: 'debug', subscriptions: new Set(), initialized: false },
  };
}

/**
 * Stateless legacy HTTP: a session as if `initialize` had opened it at `revision`, for a client
 * that declared no capabilities (each request stands alone).
 */
export function assumedSession(revision: LegacyRevision, notify: LegacySession['notify']): LegacySession {
  return {
    revision,
    features: featuresOf(revision),
    client: { capabilities: {} },
    logLevel: 'debug',
    subscriptions: new Set(),
    initialized: true,
    notify,
  };
}

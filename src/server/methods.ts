import { principalKey } from '../engine/principal.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import { META } from '../protocol/meta.js';
import type { Resource, SubscriptionFilter } from '../protocol/schemas/index.js';
import { type Completer, toCompletion } from './completion.js';
import type { HandlerContext } from './context.js';
import type { ServerCore } from './core.js';
import { paginate } from './pagination.js';
import { getPrompt } from './prompts.js';
import { resourceNotFound, toContents } from './resources.js';
import type { LegacySession } from './scope.js';
import { TASKS_EXTENSION, visibleTask } from './tasks.js';
import { callTool, missingScopes } from './tools.js';

type Params = Record<string, any>;

function tasksRequired(): McpError {
  return new McpError(ErrorCode.MissingRequiredClientCapability, 'Missing required client capability', {
    requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
  });
}

/** Legacy-only methods are routed only on legacy sessions, so the session is there. */
function sessionOf(ctx: HandlerContext): LegacySession {
  if (!ctx.scope.session) throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${ctx.method}`);
  return ctx.scope.session;
}
export type MethodHandler = (
  core: ServerCore,
  ctx: HandlerContext,
  params: Params,
) => Promise<Record<string, unknown>>;

async function listResources(core: ServerCore, ctx: HandlerContext): Promise<readonly Resource[]> {
  const dynamic = core.templates.list().filter((t) => t.list);
  if (dynamic.length === 0) return core.resources.list().map((r) => r.definition);
  const listed = await Promise.all(dynamic.map((t) => t.list!(ctx)));
  return [...core.resources.list().map((r) => r.definition), ...listed.flat()];
}

function page<T>(core: ServerCore, items: readonly T[], params: Params) {
  const { page: slice, nextCursor } = paginate(items, params?.cursor, core.pageSize);
  return { slice, ...(nextCursor ? { nextCursor } : {}) };
}

/** The longest URI a legacy session may subscribe to: a session's state is saved with it. */
const MAX_SUBSCRIBED_URI = 8192;

/**
 * A listen stream's filter holds what the legacy bounds allow a session: it is kept, and looked up
 * on every resource update and task change, for as long as the stream stays open.
 */
function checkListenFilter(filter: SubscriptionFilter, max: number): void {
  for (const [field, list] of [
    ['resourceSubscriptions', filter.resourceSubscriptions],
    ['taskIds', filter.taskIds],
  ] as const) {
    if (list && list.length > max)
      throw new McpError(
        ErrorCode.InvalidParams,
        `Too many ${field} in one subscriptions/listen (${list.length}; maxSubscriptionsPerSession: ${max}); raise limits.maxSubscriptionsPerSession`,
        { limit: 'maxSubscriptionsPerSession' },
      );
  }
  for (const uri of filter.resourceSubscriptions ?? []) checkSubscribedUri(uri);
}

function checkSubscribedUri(uri: string): void {
  if (uri.length > MAX_SUBSCRIBED_URI)
    throw new McpError(
      ErrorCode.InvalidParams,
      `The resource URI is too long to subscribe to (${uri.length} characters; at most ${MAX_SUBSCRIBED_URI})`,
    );
}

/** Every server method, written once for both eras. */
export const methods: Record<string, MethodHandler> = {
  async 'tools/list'(core, ctx, params) {
    const usable = ctx.auth
      ? core.enabledTools().filter((t) => missingScopes(t, ctx.auth).length === 0)
      : core.enabledTools();
    const { slice, ...rest } = page(core, usable, params);
    return { tools: slice.map((t) => t.definition), ...rest };
  },

  // Not async (its throws reach callers that expect them): callTool's promise is the answer.
  'tools/call'(core, ctx, params) {
    const tool = core.tools.get(params.name);
    if (!tool?.enabled) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${params.name}`);
    // A tool that only runs as a task refuses a modern client without the tasks extension.
    if (tool.task === 'required' && ctx.era === 'modern' && !ctx.scope.tasks) throw tasksRequired();
    const missing = missingScopes(tool, ctx.auth);
    if (missing.length > 0) {
      throw new McpError(
        ErrorCode.Forbidden,
        `Forbidden: tool ${params.name} needs the scope ${missing.join(' ')}`,
        {
          permission: `tools:${params.name}`,
          requiredScopes: missing,
        },
      );
    }
    // callTool answers with an object of its own (never the handler's): no copy needed here.
    return callTool(tool, params.arguments, ctx.scope, ctx) as unknown as Promise<Record<string, unknown>>;
  },

  async 'resources/list'(core, ctx, params) {
    const { slice, ...rest } = page(core, await listResources(core, ctx), params);
    return { resources: slice, ...rest };
  },

  async 'resources/templates/list'(core, _ctx, params) {
    const { slice, ...rest } = page(core, core.templates.list(), params);
    return { resourceTemplates: slice.map((t) => t.definition), ...rest };
  },

  async 'resources/read'(core, ctx, params) {
    const uri: string = params.uri;
    const exact = core.resources.get(uri);
    if (exact) {
      const contents = toContents(uri, exact.definition.mimeType, await exact.handler(uri, ctx));
      return {
        contents,
        ...(exact.cache ? { ttlMs: exact.cache.ttlMs, cacheScope: exact.cache.scope } : {}),
      };
    }
    for (const t of core.templates.list()) {
      const variables = t.template.match(uri);
      if (!variables) continue;
      const unsafe = t.allowUnsafeValues ? undefined : t.template.unsafeValue(variables);
      if (unsafe) {
        throw new McpError(
          ErrorCode.InvalidParams,
          `Template ${t.template.template}: variable "${unsafe.name}" decodes to a value with "/", "\\", "..", or a control character, which is refused (set allowUnsafeValues: true on the template to accept it)`,
        );
      }
      const contents = toContents(uri, t.definition.mimeType, await t.handler(uri, variables, ctx));
      return { contents, ...(t.cache ? { ttlMs: t.cache.ttlMs, cacheScope: t.cache.scope } : {}) };
    }
    throw resourceNotFound(uri);
  },

  async 'resources/subscribe'(core, ctx, params) {
    const session = sessionOf(ctx);
    const max = core.maxSubscriptionsPerSession;
    // The session's state travels with it (a shared session store): it must stay small.
    checkSubscribedUri(params.uri);
    if (!session.subscriptions.has(params.uri) && session.subscriptions.size >= max) {
      throw new McpError(
        ErrorCode.Overloaded,
        `Too many resource subscriptions in this session (maxSubscriptionsPerSession: ${max}); unsubscribe from some, or raise limits.maxSubscriptionsPerSession`,
        { limit: 'maxSubscriptionsPerSession' },
      );
    }
    session.subscriptions.add(params.uri);
    session.changed?.();
    return {};
  },

  async 'resources/unsubscribe'(_core, ctx, params) {
    const session = sessionOf(ctx);
    session.subscriptions.delete(params.uri);
    session.changed?.();
    return {};
  },

  async 'prompts/list'(core, _ctx, params) {
    const { slice, ...rest } = page(core, core.prompts.list(), params);
    return { prompts: slice.map((p) => p.definition), ...rest };
  },

  async 'prompts/get'(core, ctx, params) {
    const prompt = core.prompts.get(params.name);
    if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${params.name}`);
    return { ...(await getPrompt(prompt, params.arguments, ctx)) };
  },

  async 'completion/complete'(core, _ctx, params) {
    const { ref, argument } = params;
    let completers: Record<string, Completer> | undefined;
    if (ref.type === 'ref/prompt') {
      const prompt = core.prompts.get(ref.name);
      if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
      completers = prompt.completers;
    } else {
      const template = core.templates.get(ref.uri);
      if (!template) throw new McpError(ErrorCode.InvalidParams, `Unknown resource template: ${ref.uri}`);
      completers = template.complete;
    }
    const completer = completers?.[argument.name];
    const found = completer
      ? await completer(argument.value, { arguments: params.context?.arguments ?? {} })
      : [];
    return { completion: toCompletion(found) };
  },

  async 'tasks/get'(core, ctx, params) {
    if (!ctx.scope.tasks) throw tasksRequired();
    return { ...visibleTask(await core.taskOrThrow(params.taskId, principalKey(ctx.scope.principal))) };
  },

  async 'tasks/update'(core, ctx, params) {
    if (!ctx.scope.tasks) throw tasksRequired();
    await core.updateTask(params.taskId, principalKey(ctx.scope.principal), params.inputResponses ?? {});
    return {};
  },

  async 'tasks/cancel'(core, ctx, params) {
    if (!ctx.scope.tasks) throw tasksRequired();
    await core.cancelTask(params.taskId, principalKey(ctx.scope.principal));
    return {};
  },

  async 'logging/setLevel'(_core, ctx, params) {
    const session = sessionOf(ctx);
    session.logLevel = params.level;
    session.changed?.();
    return {};
  },

  async ping() {
    return {};
  },

  async 'server/discover'(core) {
    return {
      // A dual-era server supports its legacy revisions too (through initialize).
      supportedVersions: [...core.modernRevisions, ...core.legacyRevisions],
      capabilities: core.capabilities(),
      ...(core.instructions ? { instructions: core.instructions } : {}),
      _meta: { [META.serverInfo]: core.info },
    };
  },

  /**
   * 2026-07-28 subscriptions: the acknowledgment goes first, then only the agreed notifications,
   * each tagged with the listen request's id, until the client cancels or the server closes.
   */
  async 'subscriptions/listen'(core, ctx, params) {
    const id = ctx.requestId;
    const requested = params.notifications as SubscriptionFilter;
    if (requested.taskIds?.length && !ctx.scope.tasks) throw tasksRequired();
    checkListenFilter(requested, core.maxSubscriptionsPerSession);
    const agreed = core.agreeFilter(requested);
    await ctx.scope.incoming.notify('notifications/subscriptions/acknowledged', {
      _meta: { [META.subscriptionId]: id },
      notifications: agreed,
    });
    await core.listen(ctx, agreed);
    return { _meta: { [META.subscriptionId]: id } };
  },
};

import { z } from 'zod';
import { META } from '../meta.js';
import * as v24 from './r2024-11-05.js';
import * as v25a from './r2025-03-26.js';
import * as v25b from './r2025-06-18.js';
import * as prev from './r2025-11-25.js';

/**
 * Revision 2026-07-28, the modern era: no initialize, per-request `_meta` (version, capabilities,
 * client info, log level), `server/discover`, `subscriptions/listen`, MRTR (`InputRequiredResult`),
 * `resultType` on every result, cache hints, any JSON as `structuredContent`.
 */

const Extensions = { extensions: z.record(z.string(), z.looseObject({})).optional() };
/** As in 2025-11-25, less tasks (now an extension) and roots.listChanged (removed), plus extensions. */
export const ClientCapabilities = prev.ClientCapabilities.omit({ tasks: true }).extend({
  roots: z.looseObject({}).optional(),
  ...Extensions,
});
export const ServerCapabilities = v25a.ServerCapabilities.extend(Extensions);
export const Implementation = prev.Implementation;

export const RequestMeta = v24.RequestMeta.extend({
  [META.protocolVersion]: z.string(),
  [META.clientCapabilities]: ClientCapabilities,
  [META.clientInfo]: Implementation.optional(),
  [META.logLevel]: v24.LoggingLevel.optional(),
});
export const BaseParams = z.looseObject({ _meta: RequestMeta });
export const PaginatedParams = BaseParams.extend({ cursor: v24.Cursor.optional() });
export const ResultType = z.string();
export const Result = v24.Result.extend({ resultType: ResultType });
export const CacheHints = { ttlMs: z.number().int().min(0), cacheScope: z.enum(['public', 'private']) };
export const CacheableResult = Result.extend(CacheHints);
export const PaginatedCacheableResult = CacheableResult.extend({ nextCursor: v24.Cursor.optional() });

export const Tool = prev.Tool.omit({ execution: true }).extend({
  outputSchema: z.looseObject({}).optional(),
});
export const ElicitUrlParams = prev.ElicitUrlParams.omit({ elicitationId: true });
export const ElicitParams = z.union([ElicitUrlParams, prev.ElicitFormParams.omit({ _meta: true })]);
export const InputRequest = z.discriminatedUnion('method', [
  z.looseObject({ method: z.literal('elicitation/create'), params: ElicitParams }),
  z.looseObject({ method: z.literal('sampling/createMessage'), params: prev.CreateMessageParams }),
  z.looseObject({ method: z.literal('roots/list'), params: z.looseObject({}).optional() }),
]);
export const InputRequests = z.record(z.string(), InputRequest);
export const InputResponses = z.record(z.string(), z.looseObject({}));
export const InputRequiredResult = Result.extend({
  resultType: z.literal('input_required'),
  inputRequests: InputRequests.optional(),
  requestState: z.string().optional(),
});
const Retry = { inputResponses: InputResponses.optional(), requestState: z.string().optional() };

export const SubscriptionFilter = z.looseObject({
  /** Tasks extension: `notifications/tasks` for these tasks. */
  taskIds: z.array(z.string()).optional(),
  toolsListChanged: z.boolean().optional(),
  promptsListChanged: z.boolean().optional(),
  resourcesListChanged: z.boolean().optional(),
  resourceSubscriptions: z.array(z.string()).optional(),
});

export const DiscoverResult = CacheableResult.extend({
  supportedVersions: z.array(z.string()),
  capabilities: ServerCapabilities,
  instructions: z.string().optional(),
});
export const CallToolParams = BaseParams.extend({
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()).optional(),
  ...Retry,
});
export const CallToolResult = Result.extend({
  content: z.array(prev.ContentBlock),
  structuredContent: z.unknown().optional(),
  isError: z.boolean().optional(),
});
export const ReadResourceParams = BaseParams.extend({ uri: z.string(), ...Retry });
export const GetPromptParams = BaseParams.extend({
  name: z.string(),
  arguments: z.record(z.string(), z.string()).optional(),
  ...Retry,
});
export const CompleteParams = BaseParams.extend(v25b.CompleteParams.omit({ _meta: true }).shape);
export const ListenParams = BaseParams.extend({ notifications: SubscriptionFilter });
export const ListenResult = Result.extend({
  _meta: z.looseObject({ [META.subscriptionId]: v24.RequestId }),
});

const withResult = <T extends z.ZodTypeAny>(complete: T) => z.union([InputRequiredResult, complete]);

export const revision = {
  clientRequests: {
    'server/discover': { params: BaseParams, result: DiscoverResult },
    'tools/list': {
      params: PaginatedParams,
      result: PaginatedCacheableResult.extend({ tools: z.array(Tool) }),
    },
    'tools/call': { params: CallToolParams, result: withResult(CallToolResult) },
    'resources/list': {
      params: PaginatedParams,
      result: PaginatedCacheableResult.extend({ resources: z.array(prev.Resource) }),
    },
    'resources/templates/list': {
      params: PaginatedParams,
      result: PaginatedCacheableResult.extend({ resourceTemplates: z.array(prev.ResourceTemplate) }),
    },
    'resources/read': {
      params: ReadResourceParams,
      result: withResult(CacheableResult.extend({ contents: z.array(v24.ResourceContents) })),
    },
    'prompts/list': {
      params: PaginatedParams,
      result: PaginatedCacheableResult.extend({ prompts: z.array(prev.Prompt) }),
    },
    'prompts/get': {
      params: GetPromptParams,
      result: withResult(
        Result.extend({ description: z.string().optional(), messages: z.array(prev.PromptMessage) }),
      ),
    },
    'completion/complete': {
      params: CompleteParams,
      result: Result.extend(v24.CompleteResult.shape).extend({ resultType: ResultType }),
    },
    'subscriptions/listen': { params: ListenParams, result: ListenResult },
    // The tasks extension (io.modelcontextprotocol/tasks).
    'tasks/get': { params: BaseParams.extend({ taskId: z.string() }), result: Result },
    'tasks/update': {
      params: BaseParams.extend({ taskId: z.string(), inputResponses: InputResponses }),
      result: Result,
    },
    'tasks/cancel': { params: BaseParams.extend({ taskId: z.string() }), result: Result },
  },
  /** Modern servers never send requests: these travel inside `InputRequiredResult.inputRequests`. */
  serverRequests: {
    'sampling/createMessage': { params: prev.CreateMessageParams, result: prev.CreateMessageResult },
    'elicitation/create': { params: ElicitParams, result: prev.ElicitResult },
    'roots/list': { params: z.looseObject({}).optional(), result: v24.ListRootsResult },
  },
  clientNotifications: {
    'notifications/cancelled': v24.CancelledParams,
  },
  serverNotifications: {
    'notifications/cancelled': v24.CancelledParams,
    'notifications/progress': v25a.ProgressParams,
    'notifications/message': v24.LoggingMessageParams,
    'notifications/resources/updated': v24.ResourceUpdatedParams,
    'notifications/resources/list_changed': v24.BaseParams.optional(),
    'notifications/tools/list_changed': v24.BaseParams.optional(),
    'notifications/prompts/list_changed': v24.BaseParams.optional(),
    'notifications/subscriptions/acknowledged': v24.BaseParams.extend({ notifications: SubscriptionFilter }),
  },
};

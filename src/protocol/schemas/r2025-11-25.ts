import { z } from 'zod';
import * as v24 from './r2024-11-05.js';
import * as v25a from './r2025-03-26.js';
import * as prev from './r2025-06-18.js';

/**
 * Revision 2025-11-25: icons, URL-mode elicitation, standard enum schemas with defaults, sampling
 * with tools, experimental tasks, `Implementation.description`/`websiteUrl`.
 */

export const Icon = z.looseObject({
  src: z.string(),
  mimeType: z.string().optional(),
  sizes: z.array(z.string()).optional(),
  theme: z.enum(['light', 'dark']).optional(),
});
const Icons = { icons: z.array(Icon).optional() };

export const Implementation = prev.Implementation.extend({
  ...Icons,
  description: z.string().optional(),
  websiteUrl: z.string().optional(),
});
export const ClientCapabilities = prev.ClientCapabilities.extend({
  sampling: z
    .looseObject({ context: z.looseObject({}).optional(), tools: z.looseObject({}).optional() })
    .optional(),
  elicitation: z
    .looseObject({ form: z.looseObject({}).optional(), url: z.looseObject({}).optional() })
    .optional(),
  tasks: z.looseObject({}).optional(),
});
export const ServerCapabilities = v25a.ServerCapabilities.extend({ tasks: z.looseObject({}).optional() });
export const Resource = prev.Resource.extend(Icons);
export const ResourceTemplate = prev.ResourceTemplate.extend(Icons);
export const ResourceLink = Resource.extend({ type: z.literal('resource_link') });
export const ContentBlock = z.discriminatedUnion('type', [
  v24.TextContent,
  v24.ImageContent,
  v25a.AudioContent,
  v24.EmbeddedResource,
  ResourceLink,
]);
export const ToolExecution = z.looseObject({
  taskSupport: z.enum(['forbidden', 'optional', 'required']).optional(),
});
export const Tool = prev.Tool.extend({ ...Icons, execution: ToolExecution.optional() });
export const Prompt = prev.Prompt.extend(Icons);
export const PromptMessage = prev.PromptMessage.extend({ content: ContentBlock });

export const ToolUseContent = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.record(z.string(), z.unknown()),
});
export const ToolResultContent = z.looseObject({
  type: z.literal('tool_result'),
  toolUseId: z.string(),
  content: z.array(ContentBlock),
  structuredContent: z.record(z.string(), z.unknown()).optional(),
  isError: z.boolean().optional(),
});
export const SamplingContent = z.discriminatedUnion('type', [
  v24.TextContent,
  v24.ImageContent,
  v25a.AudioContent,
  ToolUseContent,
  ToolResultContent,
]);
export const SamplingMessage = v24.SamplingMessage.extend({
  content: z.union([SamplingContent, z.array(SamplingContent)]),
});
export const ToolChoice = z.looseObject({ mode: z.enum(['auto', 'required', 'none']).optional() });
export const CreateMessageParams = v25a.CreateMessageParams.extend({
  messages: z.array(SamplingMessage),
  tools: z.array(Tool).optional(),
  toolChoice: ToolChoice.optional(),
});
export const CreateMessageResult = v25a.CreateMessageResult.extend({
  content: z.union([SamplingContent, z.array(SamplingContent)]),
});

const Described = { title: z.string().optional(), description: z.string().optional() };
const EnumOption = z.looseObject({ const: z.string(), title: z.string() });
/** Elicitation field schemas (SEP-1330 enums, SEP-1034 defaults). */
export const PrimitiveSchema = z.union([
  z.looseObject({
    type: z.literal('string'),
    ...Described,
    minLength: z.number().optional(),
    maxLength: z.number().optional(),
    format: z.enum(['email', 'uri', 'date', 'date-time']).optional(),
    enum: z.array(z.string()).optional(),
    enumNames: z.array(z.string()).optional(),
    oneOf: z.array(EnumOption).optional(),
    default: z.string().optional(),
  }),
  z.looseObject({
    type: z.enum(['number', 'integer']),
    ...Described,
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    default: z.number().optional(),
  }),
  z.looseObject({ type: z.literal('boolean'), ...Described, default: z.boolean().optional() }),
  z.looseObject({
    type: z.literal('array'),
    ...Described,
    minItems: z.number().optional(),
    maxItems: z.number().optional(),
    items: z.union([
      z.looseObject({ type: z.literal('string'), enum: z.array(z.string()) }),
      z.looseObject({ anyOf: z.array(EnumOption) }),
    ]),
    default: z.array(z.string()).optional(),
  }),
]);
export const ElicitFormParams = v24.BaseParams.extend({
  mode: z.literal('form').optional(),
  message: z.string(),
  requestedSchema: z.looseObject({
    $schema: z.string().optional(),
    type: z.literal('object'),
    properties: z.record(z.string(), PrimitiveSchema),
    required: z.array(z.string()).optional(),
  }),
});
export const ElicitUrlParams = v24.BaseParams.extend({
  mode: z.literal('url'),
  message: z.string(),
  url: z.string(),
  elicitationId: z.string(),
});
export const ElicitParams = z.union([ElicitUrlParams, ElicitFormParams]);
export const ElicitResult = prev.ElicitResult.extend({
  content: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]))
    .optional(),
});

export const TaskStatus = z.enum(['working', 'input_required', 'completed', 'failed', 'cancelled']);
export const Task = z.looseObject({
  taskId: z.string(),
  status: TaskStatus,
  statusMessage: z.string().optional(),
  createdAt: z.string(),
  lastUpdatedAt: z.string(),
  ttl: z.number().nullable(),
  pollInterval: z.number().optional(),
});
export const TaskParams = v24.BaseParams.extend({ taskId: z.string() });
export const CreateTaskResult = v24.Result.extend({ task: Task });
export const TaskResult = v24.Result.extend(Task.shape);
export const ListTasksResult = v24.PaginatedResult.extend({ tasks: z.array(Task) });
const TaskAugmented = { task: z.looseObject({ ttl: z.number().optional() }).optional() };

export const InitializeParams = prev.InitializeParams.extend({
  capabilities: ClientCapabilities,
  clientInfo: Implementation,
});
export const InitializeResult = prev.InitializeResult.extend({
  capabilities: ServerCapabilities,
  serverInfo: Implementation,
});
export const CallToolParams = v24.CallToolParams.extend(TaskAugmented);
export const CallToolResult = prev.CallToolResult.extend({ content: z.array(ContentBlock) });
export const ListToolsResult = prev.ListToolsResult.extend({ tools: z.array(Tool) });
export const ListResourcesResult = prev.ListResourcesResult.extend({ resources: z.array(Resource) });
export const ListResourceTemplatesResult = prev.ListResourceTemplatesResult.extend({
  resourceTemplates: z.array(ResourceTemplate),
});
export const ListPromptsResult = prev.ListPromptsResult.extend({ prompts: z.array(Prompt) });
export const GetPromptResult = prev.GetPromptResult.extend({ messages: z.array(PromptMessage) });
/** 2025-11-25 makes requestId optional: it MUST NOT be used for tasks. */
export const CancelledParams = v24.CancelledParams.extend({ requestId: v24.RequestId.optional() });

const r = prev.revision;
const PaginatedParams = v24.PaginatedParams.optional();
const taskRequests = {
  'tasks/get': { params: TaskParams, result: TaskResult },
  'tasks/result': { params: TaskParams, result: v24.Result },
  'tasks/list': { params: PaginatedParams, result: ListTasksResult },
  'tasks/cancel': { params: TaskParams, result: TaskResult },
};
export const revision = {
  clientRequests: {
    ...r.clientRequests,
    ...taskRequests,
    initialize: { params: InitializeParams, result: InitializeResult },
    'tools/call': { params: CallToolParams, result: z.union([CallToolResult, CreateTaskResult]) },
    'tools/list': { params: PaginatedParams, result: ListToolsResult },
    'resources/list': { params: PaginatedParams, result: ListResourcesResult },
    'resources/templates/list': { params: PaginatedParams, result: ListResourceTemplatesResult },
    'prompts/list': { params: PaginatedParams, result: ListPromptsResult },
    'prompts/get': { params: v24.GetPromptParams, result: GetPromptResult },
  },
  serverRequests: {
    ...r.serverRequests,
    ...taskRequests,
    'sampling/createMessage': {
      params: CreateMessageParams.extend(TaskAugmented),
      result: CreateMessageResult,
    },
    'elicitation/create': { params: ElicitParams, result: ElicitResult },
  },
  clientNotifications: {
    ...r.clientNotifications,
    'notifications/cancelled': CancelledParams,
    'notifications/tasks/status': v24.BaseParams.extend(Task.shape),
  },
  serverNotifications: {
    ...r.serverNotifications,
    'notifications/cancelled': CancelledParams,
    'notifications/tasks/status': v24.BaseParams.extend(Task.shape),
    'notifications/elicitation/complete': v24.BaseParams.extend({ elicitationId: z.string() }),
  },
};

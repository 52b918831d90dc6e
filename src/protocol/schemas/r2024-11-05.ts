import { z } from 'zod';

/** Schemas of revision 2024-11-05, written from its schema.ts. Later revisions extend these. */

export const RequestId = z.union([z.string(), z.number()]);
export const ProgressToken = z.union([z.string(), z.number()]);
export const Cursor = z.string();
export const Role = z.enum(['user', 'assistant']);
export const LoggingLevel = z.enum([
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
]);

export const RequestMeta = z.looseObject({ progressToken: ProgressToken.optional() });
export const BaseParams = z.looseObject({ _meta: RequestMeta.optional() });
export const PaginatedParams = BaseParams.extend({ cursor: Cursor.optional() });
export const Result = z.looseObject({ _meta: z.record(z.string(), z.unknown()).optional() });
export const PaginatedResult = Result.extend({ nextCursor: Cursor.optional() });

export const Implementation = z.looseObject({ name: z.string(), version: z.string() });

export const ClientCapabilities = z.looseObject({
  experimental: z.record(z.string(), z.looseObject({})).optional(),
  roots: z.looseObject({ listChanged: z.boolean().optional() }).optional(),
  sampling: z.looseObject({}).optional(),
});

export const ServerCapabilities = z.looseObject({
  experimental: z.record(z.string(), z.looseObject({})).optional(),
  logging: z.looseObject({}).optional(),
  prompts: z.looseObject({ listChanged: z.boolean().optional() }).optional(),
  resources: z
    .looseObject({ subscribe: z.boolean().optional(), listChanged: z.boolean().optional() })
    .optional(),
  tools: z.looseObject({ listChanged: z.boolean().optional() }).optional(),
});

export const Annotations = z.looseObject({
  audience: z.array(Role).optional(),
  priority: z.number().min(0).max(1).optional(),
});

export const TextResourceContents = z.looseObject({
  uri: z.string(),
  mimeType: z.string().optional(),
  text: z.string(),
});
export const BlobResourceContents = z.looseObject({
  uri: z.string(),
  mimeType: z.string().optional(),
  blob: z.base64(),
});
export const ResourceContents = z.union([TextResourceContents, BlobResourceContents]);

export const TextContent = z.looseObject({
  type: z.literal('text'),
  text: z.string(),
  annotations: Annotations.optional(),
});
export const ImageContent = z.looseObject({
  type: z.literal('image'),
  data: z.base64(),
  mimeType: z.string(),
  annotations: Annotations.optional(),
});
export const EmbeddedResource = z.looseObject({
  type: z.literal('resource'),
  resource: ResourceContents,
  annotations: Annotations.optional(),
});
export const ContentBlock = z.discriminatedUnion('type', [TextContent, ImageContent, EmbeddedResource]);

export const Resource = z.looseObject({
  uri: z.string(),
  name: z.string(),
  description: z.string().optional(),
  mimeType: z.string().optional(),
  size: z.number().optional(),
  annotations: Annotations.optional(),
});
export const ResourceTemplate = z.looseObject({
  uriTemplate: z.string(),
  name: z.string(),
  description: z.string().optional(),
  mimeType: z.string().optional(),
  annotations: Annotations.optional(),
});
export const PromptArgument = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  required: z.boolean().optional(),
});
export const Prompt = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  arguments: z.array(PromptArgument).optional(),
});
export const PromptMessage = z.looseObject({ role: Role, content: ContentBlock });
export const JsonSchemaObject = z.looseObject({
  type: z.literal('object'),
  properties: z.record(z.string(), z.unknown()).optional(),
});
export const Tool = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  inputSchema: JsonSchemaObject,
});

export const SamplingMessage = z.looseObject({
  role: Role,
  content: z.discriminatedUnion('type', [TextContent, ImageContent]),
});
export const ModelPreferences = z.looseObject({
  hints: z.array(z.looseObject({ name: z.string().optional() })).optional(),
  costPriority: z.number().min(0).max(1).optional(),
  speedPriority: z.number().min(0).max(1).optional(),
  intelligencePriority: z.number().min(0).max(1).optional(),
});
export const Root = z.looseObject({ uri: z.string().startsWith('file://'), name: z.string().optional() });

export const PromptReference = z.looseObject({ type: z.literal('ref/prompt'), name: z.string() });
export const ResourceTemplateReference = z.looseObject({ type: z.literal('ref/resource'), uri: z.string() });

// Requests, by method: the params schema.
export const InitializeParams = BaseParams.extend({
  protocolVersion: z.string(),
  capabilities: ClientCapabilities,
  clientInfo: Implementation,
});
export const CallToolParams = BaseParams.extend({
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()).optional(),
});
export const GetPromptParams = BaseParams.extend({
  name: z.string(),
  arguments: z.record(z.string(), z.string()).optional(),
});
export const ResourceParams = BaseParams.extend({ uri: z.string() });
export const CompleteParams = BaseParams.extend({
  ref: z.discriminatedUnion('type', [PromptReference, ResourceTemplateReference]),
  argument: z.looseObject({ name: z.string(), value: z.string() }),
});
export const SetLevelParams = BaseParams.extend({ level: LoggingLevel });
export const CreateMessageParams = BaseParams.extend({
  messages: z.array(SamplingMessage),
  modelPreferences: ModelPreferences.optional(),
  systemPrompt: z.string().optional(),
  includeContext: z.enum(['none', 'thisServer', 'allServers']).optional(),
  temperature: z.number().optional(),
  maxTokens: z.number(),
  stopSequences: z.array(z.string()).optional(),
  metadata: z.looseObject({}).optional(),
});

// Results, by method.
export const InitializeResult = Result.extend({
  protocolVersion: z.string(),
  capabilities: ServerCapabilities,
  serverInfo: Implementation,
  instructions: z.string().optional(),
});
export const CallToolResult = Result.extend({
  content: z.array(ContentBlock),
  isError: z.boolean().optional(),
});
export const ListToolsResult = PaginatedResult.extend({ tools: z.array(Tool) });
export const ListResourcesResult = PaginatedResult.extend({ resources: z.array(Resource) });
export const ListResourceTemplatesResult = PaginatedResult.extend({
  resourceTemplates: z.array(ResourceTemplate),
});
export const ReadResourceResult = Result.extend({ contents: z.array(ResourceContents) });
export const ListPromptsResult = PaginatedResult.extend({ prompts: z.array(Prompt) });
export const GetPromptResult = Result.extend({
  description: z.string().optional(),
  messages: z.array(PromptMessage),
});
export const CompleteResult = Result.extend({
  completion: z.looseObject({
    values: z.array(z.string()).max(100),
    total: z.number().int().optional(),
    hasMore: z.boolean().optional(),
  }),
});
export const CreateMessageResult = Result.extend({
  role: Role,
  content: z.discriminatedUnion('type', [TextContent, ImageContent]),
  model: z.string(),
  stopReason: z.string().optional(),
});
export const ListRootsResult = Result.extend({ roots: z.array(Root) });
export const EmptyResult = Result;

// Notifications, by method: the params schema.
export const CancelledParams = BaseParams.extend({ requestId: RequestId, reason: z.string().optional() });
export const ProgressParams = BaseParams.extend({
  progressToken: ProgressToken,
  progress: z.number(),
  total: z.number().optional(),
});
export const LoggingMessageParams = BaseParams.extend({
  level: LoggingLevel,
  logger: z.string().optional(),
  data: z.unknown(),
});
export const ResourceUpdatedParams = BaseParams.extend({ uri: z.string() });

export const revision = {
  /** Requests a client sends, with their params and result schemas. */
  clientRequests: {
    initialize: { params: InitializeParams, result: InitializeResult },
    ping: { params: BaseParams.optional(), result: EmptyResult },
    'tools/list': { params: PaginatedParams.optional(), result: ListToolsResult },
    'tools/call': { params: CallToolParams, result: CallToolResult },
    'resources/list': { params: PaginatedParams.optional(), result: ListResourcesResult },
    'resources/templates/list': { params: PaginatedParams.optional(), result: ListResourceTemplatesResult },
    'resources/read': { params: ResourceParams, result: ReadResourceResult },
    'resources/subscribe': { params: ResourceParams, result: EmptyResult },
    'resources/unsubscribe': { params: ResourceParams, result: EmptyResult },
    'prompts/list': { params: PaginatedParams.optional(), result: ListPromptsResult },
    'prompts/get': { params: GetPromptParams, result: GetPromptResult },
    'completion/complete': { params: CompleteParams, result: CompleteResult },
    'logging/setLevel': { params: SetLevelParams, result: EmptyResult },
  },
  /** Requests a server sends. */
  serverRequests: {
    ping: { params: BaseParams.optional(), result: EmptyResult },
    'sampling/createMessage': { params: CreateMessageParams, result: CreateMessageResult },
    'roots/list': { params: BaseParams.optional(), result: ListRootsResult },
  },
  clientNotifications: {
    'notifications/initialized': BaseParams.optional(),
    'notifications/cancelled': CancelledParams,
    'notifications/progress': ProgressParams,
    'notifications/roots/list_changed': BaseParams.optional(),
  },
  serverNotifications: {
    'notifications/cancelled': CancelledParams,
    'notifications/progress': ProgressParams,
    'notifications/message': LoggingMessageParams,
    'notifications/resources/updated': ResourceUpdatedParams,
    'notifications/resources/list_changed': BaseParams.optional(),
    'notifications/tools/list_changed': BaseParams.optional(),
    'notifications/prompts/list_changed': BaseParams.optional(),
  },
};

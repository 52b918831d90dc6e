import { z } from 'zod';
import * as prev0 from './r2024-11-05.js';
import * as prev from './r2025-03-26.js';

/**
 * Revision 2025-06-18: structured tool output, elicitation (form mode), resource links, titles,
 * `_meta` on more types, completion context. Batches were removed.
 */

const Meta = z.record(z.string(), z.unknown()).optional();
const Titled = { title: z.string().optional(), _meta: Meta };

export const Implementation = prev0.Implementation.extend({ title: z.string().optional() });
export const ClientCapabilities = prev0.ClientCapabilities.extend({
  elicitation: z.looseObject({}).optional(),
});
export const Annotations = prev0.Annotations.extend({ lastModified: z.string().optional() });
export const Resource = prev0.Resource.extend({ ...Titled, annotations: Annotations.optional() });
export const ResourceTemplate = prev0.ResourceTemplate.extend({
  ...Titled,
  annotations: Annotations.optional(),
});
export const ResourceLink = Resource.extend({ type: z.literal('resource_link') });
export const ContentBlock = z.discriminatedUnion('type', [
  prev0.TextContent,
  prev0.ImageContent,
  prev.AudioContent,
  prev0.EmbeddedResource,
  ResourceLink,
]);
export const Tool = prev.Tool.extend({
  ...Titled,
  outputSchema: z.looseObject({ type: z.literal('object') }).optional(),
});
export const Prompt = prev0.Prompt.extend({
  ...Titled,
  arguments: z.array(prev0.PromptArgument.extend(Titled)).optional(),
});
export const PromptMessage = prev.PromptMessage.extend({ content: ContentBlock });

export const PrimitiveSchema = z.looseObject({
  type: z.enum(['string', 'number', 'integer', 'boolean']),
  title: z.string().optional(),
  description: z.string().optional(),
});
export const ElicitFormParams = prev0.BaseParams.extend({
  message: z.string(),
  requestedSchema: z.looseObject({
    type: z.literal('object'),
    properties: z.record(z.string(), PrimitiveSchema),
    required: z.array(z.string()).optional(),
  }),
});
export const ElicitResult = prev0.Result.extend({
  action: z.enum(['accept', 'decline', 'cancel']),
  content: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export const InitializeParams = prev0.InitializeParams.extend({
  capabilities: ClientCapabilities,
  clientInfo: Implementation,
});
export const InitializeResult = prev.InitializeResult.extend({ serverInfo: Implementation });
export const CallToolResult = prev.CallToolResult.extend({
  content: z.array(ContentBlock),
  structuredContent: z.record(z.string(), z.unknown()).optional(),
});
export const ListToolsResult = prev.ListToolsResult.extend({ tools: z.array(Tool) });
export const ListResourcesResult = prev0.ListResourcesResult.extend({ resources: z.array(Resource) });
export const ListResourceTemplatesResult = prev0.ListResourceTemplatesResult.extend({
  resourceTemplates: z.array(ResourceTemplate),
});
export const ListPromptsResult = prev0.ListPromptsResult.extend({ prompts: z.array(Prompt) });
export const GetPromptResult = prev.GetPromptResult.extend({ messages: z.array(PromptMessage) });
export const CompleteParams = prev0.CompleteParams.extend({
  context: z.looseObject({ arguments: z.record(z.string(), z.string()).optional() }).optional(),
});

const r = prev.revision;
export const revision = {
  clientRequests: {
    ...r.clientRequests,
    initialize: { params: InitializeParams, result: InitializeResult },
    'tools/call': { params: prev0.CallToolParams, result: CallToolResult },
    'tools/list': { params: prev0.PaginatedParams.optional(), result: ListToolsResult },
    'resources/list': { params: prev0.PaginatedParams.optional(), result: ListResourcesResult },
    'resources/templates/list': {
      params: prev0.PaginatedParams.optional(),
      result: ListResourceTemplatesResult,
    },
    'prompts/list': { params: prev0.PaginatedParams.optional(), result: ListPromptsResult },
    'prompts/get': { params: prev0.GetPromptParams, result: GetPromptResult },
    'completion/complete': { params: CompleteParams, result: prev0.CompleteResult },
  },
  serverRequests: {
    ...r.serverRequests,
    'elicitation/create': { params: ElicitFormParams, result: ElicitResult },
  },
  clientNotifications: r.clientNotifications,
  serverNotifications: r.serverNotifications,
};

import { z } from 'zod';
import * as prev from './r2024-11-05.js';

/** Revision 2025-03-26: audio content, tool annotations, progress messages, the completions capability. */

export const ServerCapabilities = prev.ServerCapabilities.extend({
  completions: z.looseObject({}).optional(),
});
export const AudioContent = z.looseObject({
  type: z.literal('audio'),
  data: z.base64(),
  mimeType: z.string(),
  annotations: prev.Annotations.optional(),
});
export const ContentBlock = z.discriminatedUnion('type', [
  prev.TextContent,
  prev.ImageContent,
  AudioContent,
  prev.EmbeddedResource,
]);
export const ToolAnnotations = z.looseObject({
  title: z.string().optional(),
  readOnlyHint: z.boolean().optional(),
  destructiveHint: z.boolean().optional(),
  idempotentHint: z.boolean().optional(),
  openWorldHint: z.boolean().optional(),
});
export const Tool = prev.Tool.extend({ annotations: ToolAnnotations.optional() });
export const PromptMessage = prev.PromptMessage.extend({ content: ContentBlock });
export const SamplingContent = z.discriminatedUnion('type', [
  prev.TextContent,
  prev.ImageContent,
  AudioContent,
]);
export const SamplingMessage = prev.SamplingMessage.extend({ content: SamplingContent });
export const CreateMessageParams = prev.CreateMessageParams.extend({ messages: z.array(SamplingMessage) });
export const CreateMessageResult = prev.CreateMessageResult.extend({ content: SamplingContent });
export const InitializeResult = prev.InitializeResult.extend({ capabilities: ServerCapabilities });
export const CallToolResult = prev.CallToolResult.extend({ content: z.array(ContentBlock) });
export const ListToolsResult = prev.ListToolsResult.extend({ tools: z.array(Tool) });
export const GetPromptResult = prev.GetPromptResult.extend({ messages: z.array(PromptMessage) });
export const ProgressParams = prev.ProgressParams.extend({ message: z.string().optional() });

const r = prev.revision;
export const revision = {
  clientRequests: {
    ...r.clientRequests,
    initialize: { params: prev.InitializeParams, result: InitializeResult },
    'tools/call': { params: prev.CallToolParams, result: CallToolResult },
    'tools/list': { params: prev.PaginatedParams.optional(), result: ListToolsResult },
    'prompts/get': { params: prev.GetPromptParams, result: GetPromptResult },
  },
  serverRequests: {
    ...r.serverRequests,
    'sampling/createMessage': { params: CreateMessageParams, result: CreateMessageResult },
  },
  clientNotifications: { ...r.clientNotifications, 'notifications/progress': ProgressParams },
  serverNotifications: { ...r.serverNotifications, 'notifications/progress': ProgressParams },
};

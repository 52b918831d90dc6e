import type { z } from 'zod';
import type { Revision } from '../revisions.js';
import * as r2024_11_05 from './r2024-11-05.js';
import * as r2025_03_26 from './r2025-03-26.js';
import * as r2025_06_18 from './r2025-06-18.js';
import * as r2025_11_25 from './r2025-11-25.js';
import * as r2026_07_28 from './r2026-07-28.js';

export { r2024_11_05, r2025_03_26, r2025_06_18, r2025_11_25, r2026_07_28 };

export interface MethodSchemas {
  params: z.ZodTypeAny;
  result: z.ZodTypeAny;
}

export interface RevisionSchemas {
  clientRequests: Record<string, MethodSchemas>;
  serverRequests: Record<string, MethodSchemas>;
  clientNotifications: Record<string, z.ZodTypeAny>;
  serverNotifications: Record<string, z.ZodTypeAny>;
}

const byRevision: Record<Revision, RevisionSchemas> = {
  '2024-11-05': r2024_11_05.revision,
  '2025-03-26': r2025_03_26.revision,
  '2025-06-18': r2025_06_18.revision,
  '2025-11-25': r2025_11_25.revision,
  '2026-07-28': r2026_07_28.revision,
};

/** The message schemas of one revision, by method. */
export function schemasFor(revision: Revision): RevisionSchemas {
  return byRevision[revision];
}

// The public types are those of the newest revision; older revisions are subsets on the wire.
const latest = r2026_07_28;
const legacy = r2025_11_25;
export type Implementation = z.infer<typeof latest.Implementation>;
export type ClientCapabilities = z.infer<typeof latest.ClientCapabilities> &
  z.infer<typeof legacy.ClientCapabilities>;
export type ServerCapabilities = z.infer<typeof latest.ServerCapabilities> &
  z.infer<typeof legacy.ServerCapabilities>;
export type Icon = z.infer<typeof legacy.Icon>;
export type Annotations = z.infer<typeof r2025_06_18.Annotations>;
export type ToolAnnotations = z.infer<typeof r2025_03_26.ToolAnnotations>;
export type ContentBlock = z.infer<typeof legacy.ContentBlock>;
export type TextContent = z.infer<typeof r2024_11_05.TextContent>;
export type ResourceContents = z.infer<typeof r2024_11_05.ResourceContents>;
export type Tool = z.infer<typeof latest.Tool> & { execution?: z.infer<typeof legacy.ToolExecution> };
export type Resource = z.infer<typeof legacy.Resource>;
export type ResourceTemplate = z.infer<typeof legacy.ResourceTemplate>;
export type Prompt = z.infer<typeof legacy.Prompt>;
export type PromptArgument = z.infer<typeof r2024_11_05.PromptArgument> & { title?: string };
export type PromptMessage = z.infer<typeof legacy.PromptMessage>;
export interface CallToolResult {
  content: ContentBlock[];
  structuredContent?: unknown;
  isError?: boolean;
  _meta?: Record<string, unknown>;
}
export type LoggingLevel = z.infer<typeof r2024_11_05.LoggingLevel>;
export type CreateMessageParams = z.infer<typeof legacy.CreateMessageParams>;
export type CreateMessageResult = z.infer<typeof legacy.CreateMessageResult>;
export type ElicitParams = z.infer<typeof latest.ElicitParams>;
export type ElicitResult = z.infer<typeof legacy.ElicitResult>;
export type Root = z.infer<typeof r2024_11_05.Root>;
export type SubscriptionFilter = z.infer<typeof latest.SubscriptionFilter>;
export type InputRequest = z.infer<typeof latest.InputRequest>;
export type InputRequiredResult = z.infer<typeof latest.InputRequiredResult>;
/** 2025-11-25 experimental tasks. */
export type Task = z.infer<typeof legacy.Task>;

export type { OperatorLogger } from '../engine/operator-log.js';
export type { Principal } from '../engine/principal.js';
export type { Telemetry } from '../engine/telemetry.js';
export type { Completer, CompletionPage } from './completion.js';
export type { ServerConnection } from './connection.js';
export {
  McpServer,
  type McpServerOptions,
  type Registration,
  type ServerInfo,
  type ServerMiddleware,
  type ToolRegistration,
} from './mcp-server.js';
export type { PromptArgumentConfig, PromptConfig, PromptHandler, PromptReturn } from './prompts.js';
export type { InputOptions, Logger, RequestContext } from './request-context.js';
export type {
  CacheHint,
  ReadReturn,
  ResourceConfig,
  ResourceHandler,
  ResourceTemplateConfig,
  TemplateHandler,
} from './resources.js';
export type { JsonSchema, JsonSchemaValidator, SchemaInput } from './schema.js';
export {
  InMemoryTaskStore,
  type InMemoryTaskStoreOptions,
  type TaskRecord,
  type TaskStatus,
  type TaskStore,
} from './tasks.js';
export type { ToolConfig, ToolHandler, ToolReturn } from './tools.js';

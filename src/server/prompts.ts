import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ErrorCode, McpError } from '../protocol/errors.js';
import type { Icon, Prompt, PromptArgument, PromptMessage } from '../protocol/schemas/index.js';
import type { Completer } from './completion.js';
import type { RequestContext } from './request-context.js';
import { type CompiledSchema, compileSchema, type JsonSchemaValidator } from './schema.js';

export interface PromptArgumentConfig extends PromptArgument {
  complete?: Completer;
}

export interface PromptConfig {
  title?: string;
  description?: string;
  /** The arguments, listed, or as a Standard Schema object of string fields. */
  arguments?: PromptArgumentConfig[] | StandardSchemaV1;
  /** Completers by argument name, for arguments given as a schema. */
  complete?: Record<string, Completer>;
  icons?: Icon[];
  _meta?: Record<string, unknown>;
}

export type PromptReturn = PromptMessage[] | { description?: string; messages: PromptMessage[] };
export type PromptHandler = (
  args: Record<string, string>,
  ctx: RequestContext,
) => PromptReturn | Promise<PromptReturn>;

export interface RegisteredPrompt {
  definition: Prompt;
  schema?: CompiledSchema;
  completers: Record<string, Completer>;
  handler: PromptHandler;
}

export function buildPrompt(
  name: string,
  config: PromptConfig,
  handler: PromptHandler,
  validator?: JsonSchemaValidator,
): RegisteredPrompt {
  const completers: Record<string, Completer> = { ...config.complete };
  let args: PromptArgument[] | undefined;
  let schema: CompiledSchema | undefined;
  if (Array.isArray(config.arguments)) {
    args = config.arguments.map(({ complete, ...arg }) => {
      if (complete) completers[arg.name] = complete;
      return arg;
    });
  } else if (config.arguments) {
    schema = compileSchema(config.arguments, 'input', validator);
    const properties = (schema.jsonSchema.properties ?? {}) as Record<string, { description?: string }>;
    const required = new Set((schema.jsonSchema.required as string[] | undefined) ?? []);
    args = Object.entries(properties).map(([argName, p]) => ({
      name: argName,
      ...(p.description ? { description: p.description } : {}),
      required: required.has(argName),
    }));
  }
  const definition: Prompt = {
    name,
    ...(config.title !== undefined ? { title: config.title } : {}),
    ...(config.description !== undefined ? { description: config.description } : {}),
    ...(args ? { arguments: args } : {}),
    ...(config.icons ? { icons: config.icons } : {}),
    ...(config._meta ? { _meta: config._meta } : {}),
  };
  return { definition, completers, handler, ...(schema ? { schema } : {}) };
}

export async function getPrompt(
  prompt: RegisteredPrompt,
  args: Record<string, string> | undefined,
  ctx: RequestContext,
) {
  let values: Record<string, string> = args ?? {};
  if (prompt.schema) {
    const checked = await prompt.schema.validate(values);
    if ('issues' in checked)
      throw new McpError(
        ErrorCode.InvalidParams,
        `Invalid arguments for prompt ${prompt.definition.name}: ${checked.issues}`,
      );
    values = checked.value as Record<string, string>;
  } else {
    const missing = (prompt.definition.arguments ?? []).filter(
      (a) => a.required && values[a.name] === undefined,
    );
    if (missing.length > 0) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Missing required arguments for prompt ${prompt.definition.name}: ${missing.map((a) => a.name).join(', ')}`,
      );
    }
  }
  const returned = await prompt.handler(values, ctx);
  return Array.isArray(returned) ? { messages: returned } : returned;
}

import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Principal } from '../engine/principal.js';
import { settled } from '../engine/settled.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import { type HeaderAnnotation, headerAnnotations } from '../protocol/mcp-headers.js';
import type { CallToolResult, Icon, Tool, ToolAnnotations } from '../protocol/schemas/index.js';
import { ClientInputError } from './input.js';
import { InputRequiredSignal } from './mrtr.js';
import type { RequestContext } from './request-context.js';
import {
  type CompiledSchema,
  compileSchema,
  type JsonSchema,
  type JsonSchemaValidator,
  type SchemaInput,
} from './schema.js';
import type { RequestScope } from './scope.js';

export type InferInput<S> = S extends StandardSchemaV1
  ? StandardSchemaV1.InferOutput<S>
  : Record<string, unknown>;
export type InferOutput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : unknown;

export interface ToolConfig<
  I extends SchemaInput | undefined = undefined,
  O extends SchemaInput | undefined = undefined,
> {
  title?: string;
  description?: string;
  /** Arguments schema: a Standard Schema (zod 4, valibot, arktype) or raw JSON Schema 2020-12. */
  input?: I;
  /** Structured result schema; results are validated against it. */
  output?: O;
  annotations?: ToolAnnotations;
  icons?: Icon[];
  _meta?: Record<string, unknown>;
  /**
   * Tasks extension: the handler may turn the call into a task with `ctx.task(...)`. 'required'
   * refuses clients that did not declare the extension (-32021).
   */
  task?: 'optional' | 'required';
  /**
   * OAuth scopes an authenticated caller needs: without them the tool is not listed, and a call is
   * refused with -32003 (over HTTP, 403 with an `insufficient_scope` challenge). Callers nobody
   * authenticated (stdio, HTTP without `auth`) are not checked.
   */
  scopes?: string[];
}

/** A handler may return a full result or, for the common case, just text. */
export type ToolReturn<O> =
  | string
  | (Omit<CallToolResult, 'content' | 'structuredContent'> & {
      content?: CallToolResult['content'];
      structuredContent?: O extends SchemaInput ? InferOutput<O> : unknown;
    });

export type ToolHandler<I, O> = (
  args: InferInput<I>,
  ctx: RequestContext,
) => ToolReturn<O> | Promise<ToolReturn<O>>;

export interface RegisteredTool {
  readonly definition: Tool;
  readonly headers: HeaderAnnotation[];
  enabled: boolean;
  input?: CompiledSchema;
  output?: CompiledSchema;
  handler: ToolHandler<any, any>;
  task?: 'optional' | 'required';
  scopes?: string[];
}

/** The scopes of `tool` that an authenticated caller lacks (none for unauthenticated callers). */
export function missingScopes(tool: RegisteredTool, principal: Principal | undefined): string[] {
  if (!tool.scopes || !principal) return [];
  return tool.scopes.filter((scope) => !principal.scopes.includes(scope));
}

/** What `ctx.task()` hands back: the call became a task, answered with a CreateTaskResult. */
export class TaskCreated {
  constructor(readonly result: Record<string, unknown>) {}
}

const EMPTY_INPUT: JsonSchema = { type: 'object', properties: {} };

/**
 * Builds a tool at registration: name and raw JSON Schemas checked at once; a Standard Schema's
 * JSON Schema (and with it the wire definition) is derived when the tool is first listed or
 * called, so that thousands of tools cost little at start-up.
 */
export function buildTool(
  name: string,
  config: ToolConfig<any, any>,
  handler: ToolHandler<any, any>,
  validator?: JsonSchemaValidator,
): RegisteredTool {
  if (name.length === 0 || name.length > 128)
    throw new TypeError(`Tool name must have 1 to 128 characters: "${name}"`);
  const input = config.input ? compileSchema(config.input, 'input', validator) : undefined;
  const output = config.output ? compileSchema(config.output, 'output', validator) : undefined;
  let described: { definition: Tool; headers: HeaderAnnotation[] } | undefined;
  const describe = () => {
    described ??= describeTool(name, config, input, output);
    return described;
  };
  // The author's own JSON Schema costs nothing to check: its mistakes are reported at registration,
  // as is a derived one whose vendor names its type.
  if (!input?.derived) describe();
  else if (input.declaredType !== undefined && input.declaredType !== 'object')
    throw new TypeError(`Tool "${name}": the input schema must describe an object`);
  return {
    get definition() {
      return describe().definition;
    },
    get headers() {
      return describe().headers;
    },
    enabled: true,
    ...(input ? { input } : {}),
    ...(output ? { output } : {}),
    ...(config.task ? { task: config.task } : {}),
    ...(config.scopes?.length ? { scopes: [...config.scopes] } : {}),
    handler,
  };
}

/** The wire definition of a tool, with its x-mcp-header rules checked. */
function describeTool(
  name: string,
  config: ToolConfig<any, any>,
  input: CompiledSchema | undefined,
  output: CompiledSchema | undefined,
): { definition: Tool; headers: HeaderAnnotation[] } {
  const inputSchema = input?.jsonSchema ?? EMPTY_INPUT;
  if (inputSchema.type !== 'object')
    throw new TypeError(`Tool "${name}": the input schema must describe an object`);
  let headers: HeaderAnnotation[];
  try {
    headers = headerAnnotations(inputSchema);
  } catch (error) {
    throw new TypeError(`Tool "${name}": ${(error as Error).message}`);
  }
  const definition: Tool = {
    name,
    ...(config.title !== undefined ? { title: config.title } : {}),
    ...(config.description !== undefined ? { description: config.description } : {}),
    inputSchema: inputSchema as Tool['inputSchema'],
    ...(output ? { outputSchema: output.jsonSchema } : {}),
    ...(config.annotations ? { annotations: config.annotations } : {}),
    ...(config.icons ? { icons: config.icons } : {}),
    ...(config._meta ? { _meta: config._meta } : {}),
    ...(config.task ? { execution: { taskSupport: config.task } } : {}),
  };
  return { definition, headers };
}

const errorResult = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

/** `tools/call`: validates arguments, runs the handler, validates and completes the result. */
export async function callTool(
  tool: RegisteredTool,
  args: unknown,
  scope: RequestScope,
  ctx: RequestContext,
): Promise<CallToolResult> {
  const name = tool.definition.name;
  let value: unknown = args ?? {};
  if (tool.input) {
    // Raw JSON Schema validates at once and most handlers answer at once: waiting only on a real
    // promise saves the call a round of the microtask queue each time.
    const checked = settled(tool.input.validate(value));
    const validation = checked instanceof Promise ? await checked : checked;
    if ('issues' in validation) {
      const message = `Invalid arguments for tool ${name}: ${validation.issues}`;
      // SEP-1303 (2025-11-25): invalid input is a tool execution error the model can correct.
      if (scope.features.inputErrorsAsToolResults) return errorResult(message);
      throw new McpError(ErrorCode.InvalidParams, message);
    }
    value = validation.value;
  }
  let returned: ToolReturn<unknown>;
  try {
    const pending = settled(tool.handler(value as never, ctx));
    returned = pending instanceof Promise ? await pending : pending;
  } catch (error) {
    if (error instanceof ClientInputError) return errorResult(error.message);
    if (error instanceof InputRequiredSignal || error instanceof McpError || scope.incoming.cancelled)
      throw error;
    ctx.logger.warn({ err: error }, `tool ${name} threw; the client was answered with a tool error`);
    return errorResult(error instanceof Error ? error.message : String(error));
  }
  // A copy: the answer is shaped per revision, and the task's own record must stay as it is.
  if (returned instanceof TaskCreated) return { ...returned.result } as unknown as CallToolResult;
  return completeToolResult(tool, returned);
}

/** Turns what a handler returned into a CallToolResult: text shortcut, output validation, text mirror. */
export function completeToolResult(
  tool: RegisteredTool,
  returned: ToolReturn<unknown>,
): CallToolResult | Promise<CallToolResult> {
  const result: CallToolResult =
    typeof returned === 'string'
      ? { content: [{ type: 'text', text: returned }] }
      : { ...returned, content: returned.content ?? [] };
  if (!tool.output || result.isError) return mirrorStructured(result);
  return checkOutput(tool.definition.name, tool.output, result).then(mirrorStructured);
}

/** A tool with an outputSchema must return structuredContent that passes it. */
async function checkOutput(
  name: string,
  output: NonNullable<RegisteredTool['output']>,
  result: CallToolResult,
): Promise<CallToolResult> {
  if (result.structuredContent === undefined) {
    throw new McpError(
      ErrorCode.InternalError,
      `Tool ${name} declares an outputSchema but returned no structuredContent`,
    );
  }
  const checked = await output.validate(result.structuredContent);
  if ('issues' in checked) {
    throw new McpError(
      ErrorCode.InternalError,
      `Tool ${name} returned structuredContent that fails its outputSchema: ${checked.issues}`,
    );
  }
  return result;
}

function mirrorStructured(result: CallToolResult): CallToolResult {
  if (result.structuredContent !== undefined && result.content.length === 0) {
    // Structured output SHOULD also be serialized as text for clients that ignore it.
    result.content = [{ type: 'text', text: JSON.stringify(result.structuredContent) }];
  }
  return result;
}

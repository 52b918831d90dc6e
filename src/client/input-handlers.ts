import { ErrorCode, McpError } from '../protocol/errors.js';
import type {
  ClientCapabilities,
  CreateMessageParams,
  CreateMessageResult,
  ElicitParams,
  ElicitResult,
  Root,
} from '../protocol/schemas/index.js';

export interface InputContext {
  signal: AbortSignal;
}

/**
 * How the client answers what a server asks of it. The same callbacks serve legacy server-to-client
 * requests and modern MRTR input requests.
 */
export interface InputHandlers {
  elicit?: (params: ElicitParams, ctx: InputContext) => ElicitResult | Promise<ElicitResult>;
  /** Elicitation modes the `elicit` callback supports. Default: form only. */
  elicitationModes?: Array<'form' | 'url'>;
  sample?: (
    params: CreateMessageParams,
    ctx: InputContext,
  ) => CreateMessageResult | Promise<CreateMessageResult>;
  roots?: Root[] | (() => Root[] | Promise<Root[]>);
}

/** The capabilities these handlers let the client declare. */
export function capabilitiesOf(handlers: InputHandlers, era: 'legacy' | 'modern'): ClientCapabilities {
  const modes = handlers.elicitationModes ?? ['form'];
  return {
    ...(handlers.elicit ? { elicitation: Object.fromEntries(modes.map((m) => [m, {}])) } : {}),
    ...(handlers.sample ? { sampling: {} } : {}),
    // roots.listChanged exists only in the legacy era (2026-07-28 removed the notification).
    ...(handlers.roots ? { roots: era === 'legacy' ? { listChanged: true } : {} } : {}),
  };
}

type FormSchema = { properties?: Record<string, { default?: unknown }> };

/** SEP-1034: fields the user left out take the schema's defaults. */
export function fillDefaults(params: ElicitParams, result: ElicitResult): ElicitResult {
  if (result.action !== 'accept' || params.mode === 'url') return result;
  const properties = (params as { requestedSchema?: FormSchema }).requestedSchema?.properties ?? {};
  const content = { ...result.content };
  for (const [name, schema] of Object.entries(properties)) {
    if (content[name] === undefined && schema.default !== undefined) content[name] = schema.default as never;
  }
  return { ...result, content };
}

export async function answerInput(
  handlers: InputHandlers,
  method: string,
  params: Record<string, unknown>,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const missing = (what: string) =>
    new McpError(ErrorCode.MethodNotFound, `This client does not handle ${what}`);
  switch (method) {
    case 'elicitation/create': {
      if (!handlers.elicit) throw missing('elicitation');
      const request = params as ElicitParams;
      return { ...fillDefaults(request, await handlers.elicit(request, { signal })) };
    }
    case 'sampling/createMessage':
      if (!handlers.sample) throw missing('sampling');
      return { ...(await handlers.sample(params as CreateMessageParams, { signal })) };
    case 'roots/list': {
      if (!handlers.roots) throw missing('roots');
      const roots = typeof handlers.roots === 'function' ? await handlers.roots() : handlers.roots;
      return { roots };
    }
    case 'ping':
      return {};
    default:
      throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
  }
}

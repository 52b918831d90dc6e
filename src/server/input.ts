import type { z } from 'zod';
import type { IncomingRequest } from '../engine/peer.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import type { RevisionFeatures } from '../protocol/revisions.js';
import type { ClientCapabilities } from '../protocol/schemas/index.js';
import { r2024_11_05, r2025_11_25 } from '../protocol/schemas/index.js';

export type InputMethod = 'elicitation/create' | 'sampling/createMessage' | 'roots/list';

const answerSchemas: Record<InputMethod, z.ZodTypeAny> = {
  'elicitation/create': r2025_11_25.ElicitResult,
  'sampling/createMessage': r2025_11_25.CreateMessageResult,
  'roots/list': r2024_11_05.ListRootsResult,
};

/** Gets input from the client for a handler: by server-to-client request, or by MRTR. */
export interface InputAsker {
  /** `key` names the input in an MRTR round (server-assigned; unique within the request). */
  ask(method: InputMethod, params: Record<string, unknown>, key?: string): Promise<Record<string, unknown>>;
}

/** The capability a client must have declared for an input request, or undefined when it has. */
export function missingCapability(
  method: InputMethod,
  params: Record<string, unknown>,
  caps: ClientCapabilities,
): ClientCapabilities | undefined {
  if (method === 'roots/list') return caps.roots ? undefined : { roots: {} };
  if (method === 'sampling/createMessage') {
    if (!caps.sampling) return { sampling: {} };
    return params.tools && !caps.sampling.tools ? { sampling: { tools: {} } } : undefined;
  }
  const elicitation = caps.elicitation as { form?: object; url?: object } | undefined;
  if (params.mode === 'url') return elicitation?.url ? undefined : { elicitation: { url: {} } };
  // An empty elicitation capability means form mode (2025-11-25 elicitation, "Capabilities").
  return elicitation && (elicitation.form || !elicitation.url) ? undefined : { elicitation: { form: {} } };
}

export function capabilityError(required: ClientCapabilities): McpError {
  return new McpError(
    ErrorCode.MissingRequiredClientCapability,
    'The client did not declare a capability this request needs',
    {
      requiredCapabilities: required,
    },
  );
}

export function checkAnswer(method: InputMethod, answer: unknown): Record<string, unknown> {
  const parsed = answerSchemas[method].safeParse(answer);
  if (!parsed.success)
    throw new McpError(ErrorCode.InvalidParams, `Invalid ${method} response from the client`);
  return parsed.data as Record<string, unknown>;
}

/** `{ elicitation: { url: {} } }` -> `elicitation.url`. */
function capabilityPath(caps: Record<string, unknown>): string {
  const [key, value] = Object.entries(caps)[0] ?? ['unknown', {}];
  const inner = value && typeof value === 'object' ? Object.keys(value) : [];
  return inner.length > 0 ? `${key}.${inner[0]}` : key;
}

/**
 * Legacy sessions: input the client could not give (it lacks the capability, or answered the
 * server-to-client request with an error). A tool reports it as a result with `isError: true`, as
 * official servers do, so that the client's own error code (say -32601 from a proxy) is never
 * mistaken for the tools/call's; other methods answer -32603 with this message.
 */
export class ClientInputError extends McpError {
  constructor(message: string) {
    super(ErrorCode.InternalError, message);
  }
}

/** Legacy sessions: a real server-to-client request, tied to the request being handled. */
export class RequestAsker implements InputAsker {
  constructor(
    private readonly incoming: IncomingRequest,
    private readonly caps: ClientCapabilities,
    private readonly features: RevisionFeatures,
    private readonly timeoutMs: number,
  ) {}

  async ask(method: InputMethod, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (method === 'elicitation/create' && !this.features.elicitation)
      throw new ClientInputError('This protocol revision has no elicitation: the client cannot be asked');
    const missing = missingCapability(method, params, this.caps);
    if (missing) {
      throw new ClientInputError(
        `The client did not declare the ${capabilityPath(missing)} capability this needs (${method})`,
      );
    }
    const body =
      method === 'elicitation/create' && params.mode === 'url' && !params.elicitationId
        ? { ...params, elicitationId: crypto.randomUUID() }
        : params;
    let answer: Record<string, unknown>;
    try {
      answer = await this.incoming.request(method, body, {
        signal: this.incoming.signal,
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      if (!(error instanceof McpError) || this.incoming.cancelled) throw error;
      throw new ClientInputError(
        error.code === ErrorCode.RequestTimeout
          ? `The client did not answer ${method} within ${this.timeoutMs} ms (requestTimeoutMs)`
          : `The client answered ${method} with error ${error.code}: ${error.message}`,
      );
    }
    return checkAnswer(method, answer);
  }
}

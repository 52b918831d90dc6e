import type { OperatorLogger } from '../engine/operator-log.js';
import type { Principal } from '../engine/principal.js';
import type { RequestId } from '../protocol/jsonrpc.js';
import type { Era, Revision } from '../protocol/revisions.js';
import type {
  ClientCapabilities,
  CreateMessageParams,
  CreateMessageResult,
  ElicitParams,
  ElicitResult,
  Implementation,
  LoggingLevel,
  Root,
} from '../protocol/schemas/index.js';
import { r2024_11_05 } from '../protocol/schemas/index.js';

/** Severity order, lowest first (the RFC 5424 levels as MCP names them). */
export const LOG_LEVELS: readonly LoggingLevel[] = r2024_11_05.LoggingLevel.options;

export type Logger = { [L in LoggingLevel]: (data: unknown, logger?: string) => Promise<void> };

/**
 * What every handler receives. It is the same for both eras: `elicit`, `sample` and `roots` send
 * a server-to-client request on a legacy session and use MRTR on a modern request, where the
 * handler runs again on the client's retry and these calls return the supplied answers.
 */
export interface RequestContext {
  readonly requestId: RequestId;
  readonly method: string;
  readonly signal: AbortSignal;
  readonly era: Era;
  readonly protocolVersion: Revision;
  readonly client: { readonly info?: Implementation; readonly capabilities: ClientCapabilities };
  /** The authenticated caller (HTTP with `auth`); undefined where nothing authenticates (stdio). */
  readonly auth: Principal | undefined;
  /**
   * Who sent the request, as per-client bounds count it: the remote address over HTTP, the
   * connection over stdio and other streams. Rate limits key on it when nothing authenticates.
   */
  readonly clientKey: string;
  /**
   * The legacy session the request belongs to: the HTTP `Mcp-Session-Id`, or the connection over
   * stdio. Undefined for modern requests, which belong to no session.
   */
  readonly sessionId: string | undefined;
  /** The request's `_meta`. */
  readonly meta: Readonly<Record<string, unknown>>;
  /** The request's params (validated). */
  readonly params: Readonly<Record<string, any>>;
  /** MCP logging: `notifications/message` to the client, at the level the client asked for. */
  readonly log: Logger;
  /**
   * The operator's log (the server's `logger` option), bound to this request: trace id, session,
   * method, tool and principal on every line. Never sent to the client.
   */
  readonly logger: OperatorLogger;
  /** Reports progress when the client asked for it (a progressToken); otherwise does nothing. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  elicit(params: ElicitParams, options?: InputOptions): Promise<ElicitResult>;
  sample(params: CreateMessageParams, options?: InputOptions): Promise<CreateMessageResult>;
  roots(options?: InputOptions): Promise<Root[]>;
  /**
   * Tasks extension: continues the call as a task and answers at once with a CreateTaskResult;
   * `run` produces the eventual result. Where tasks are not available (legacy era, or a client
   * without the extension) `run` simply runs now and its result is the answer.
   */
  task<T>(run: (ctx: RequestContext) => T | Promise<T>): Promise<T>;
}

export interface InputOptions {
  /**
   * The input's key in a modern InputRequiredResult (default: `input-N` in call order). Name it
   * when a client or a test expects a stable key; keys must be unique within the request.
   */
  key?: string;
}

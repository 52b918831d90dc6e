/** JSON-RPC 2.0 and MCP error codes. Which revision defines which code is noted per constant. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Legacy era (2024-11-05 .. 2025-11-25). 2026-07-28 answers a missing resource with -32602. */
  ResourceNotFound: -32002,
  /** 2025-11-25 only: URL-mode elicitation must complete first. */
  UrlElicitationRequired: -32042,
  /** 2026-07-28: an HTTP header disagrees with the body. */
  HeaderMismatch: -32020,
  /** 2026-07-28: the request needs a client capability the client did not declare. */
  MissingRequiredClientCapability: -32021,
  /** 2026-07-28: the requested protocol version is not served here. */
  UnsupportedProtocolVersion: -32022,
  /** mcpkit-local (implementation-defined range -32000..-32019). */
  ConnectionClosed: -32000,
  RequestTimeout: -32001,
  /**
   * mcpkit-local: a bound refused the request (too many requests, streams, sessions or tasks);
   * `data.limit` names the option that sets it, `data.retryAfterMs` when to try again.
   */
  Overloaded: -32005,
  /**
   * mcpkit-local: the caller is authenticated but not allowed this tool, resource, prompt or
   * method; `data.permission` names what it lacks.
   */
  Forbidden: -32003,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** An error that travels over the wire as a JSON-RPC error object. */
export class McpError extends Error {
  override readonly name = 'McpError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }

  toJSON(): JsonRpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }

  static fromObject(error: JsonRpcErrorObject): McpError {
    return new McpError(error.code, error.message, error.data);
  }
}

/** Maps any thrown value to a wire error without leaking stack traces or internals. */
export function toErrorObject(error: unknown): JsonRpcErrorObject {
  if (error instanceof McpError) return error.toJSON();
  return { code: ErrorCode.InternalError, message: 'Internal error' };
}

import type { QuotaRefusal } from '../../engine/quota.js';
import { ErrorCode, type McpError } from '../../protocol/errors.js';
import { modernHttpStatus } from '../../protocol/http-status.js';
import { errorResponse, type RequestId } from '../../protocol/jsonrpc.js';
import { type HttpAnswer, jsonAnswer } from './http-core.js';

/**
 * An HTTP-level refusal: its status, and the JSON-RPC error body that explains it. Every error
 * body the HTTP transports answer with is built by `toAnswer`, and nowhere else.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: number = ErrorCode.InvalidRequest,
    readonly headers: Record<string, string> = {},
    readonly data?: unknown,
  ) {
    super(message);
  }

  /** A protocol error, answered with the HTTP status the one table gives its code. */
  static fromMcp(error: McpError): HttpError {
    return new HttpError(modernHttpStatus(error.code), error.message, error.code, {}, error.data);
  }

  toAnswer(id: RequestId | null = null): HttpAnswer {
    const error = {
      code: this.code,
      message: this.message,
      ...(this.data !== undefined ? { data: this.data } : {}),
    };
    return jsonAnswer(this.status, errorResponse(id, error), this.headers);
  }
}

// The family: one class per status, so that a refusal reads as what it is.

export class BadRequest extends HttpError {
  constructor(message: string, code: number = ErrorCode.InvalidRequest) {
    super(400, message, code);
  }
}

export class Forbidden extends HttpError {
  constructor(message: string) {
    super(403, `Forbidden: ${message}`);
  }
}

export class NotFound extends HttpError {
  constructor(message: string) {
    super(404, message);
  }
}

export class MethodNotAllowed extends HttpError {
  constructor(allow: string) {
    super(405, 'Method Not Allowed', ErrorCode.InvalidRequest, { allow });
  }
}

export class NotAcceptable extends HttpError {
  constructor(accept: string) {
    super(406, `Not Acceptable: accept ${accept}`);
  }
}

/** The rest of the body is never read: the connection closes after this answer. */
export class PayloadTooLarge extends HttpError {
  constructor(maxBytes: number) {
    super(413, `Request body exceeds ${maxBytes} bytes (maxBodyBytes)`, ErrorCode.InvalidRequest, {
      connection: 'close',
    });
  }
}

export class UnsupportedMediaType extends HttpError {
  constructor() {
    super(415, 'Unsupported Media Type: use application/json');
  }
}

/**
 * A bound that refused: 429 when the client used up its own share, 503 when the server is full;
 * either way with Retry-After and the option that governs it in the message and in `data.limit`.
 */
export class Overloaded extends HttpError {
  constructor(refusal: QuotaRefusal, what: string, retryAfterSeconds: number) {
    super(
      refusal.scope === 'client' ? 429 : 503,
      `${what} (${refusal.option}: ${refusal.limit}); retry later or raise ${refusal.option}`,
      ErrorCode.Overloaded,
      { 'retry-after': String(retryAfterSeconds) },
      { limit: refusal.option, retryAfterMs: retryAfterSeconds * 1000 },
    );
  }
}

/** A store the request needs does not answer: 503, retry after a while. */
export class StoreUnavailable extends HttpError {
  constructor(what: string, error: unknown) {
    super(
      503,
      `${what} is unavailable (${error instanceof Error ? error.message : String(error)}); retry later`,
      ErrorCode.Overloaded,
      { 'retry-after': '1' },
      { limit: 'sessionStore', retryAfterMs: 1000 },
    );
  }
}

export class InternalServerError extends HttpError {
  constructor() {
    super(500, 'Internal error', ErrorCode.InternalError);
  }
}

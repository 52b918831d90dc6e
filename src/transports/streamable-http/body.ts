import type { QuotaRefusal } from '../../engine/quota.js';
import { ErrorCode } from '../../protocol/errors.js';
import { type HttpAnswer, type HttpInput, jsonAnswer } from './http-core.js';

/** An HTTP-level refusal: status, and the JSON-RPC error body that explains it. */
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

  toAnswer(id: string | number | null = null): HttpAnswer {
    const error = {
      code: this.code,
      message: this.message,
      ...(this.data !== undefined ? { data: this.data } : {}),
    };
    return jsonAnswer(this.status, { jsonrpc: '2.0', id, error }, this.headers);
  }
}

/** 4 MiB: a 1 MiB tool argument, escaped and wrapped in its envelope, fits (official SDKs: 4 MB). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Reads a request body as UTF-8 text, counting bytes as they stream in: a body over the limit is
 * refused (413) without being buffered whole, invalid UTF-8 is a parse error, never silently
 * replaced.
 */
export async function readBody(request: HttpInput, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    // The rest of the body is never read: the connection closes after this answer.
    new HttpError(413, `Request body exceeds ${maxBytes} bytes (maxBodyBytes)`, ErrorCode.InvalidRequest, {
      connection: 'close',
    });
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw tooLarge();
  if (request.readAll) {
    const bytes = await request.readAll(maxBytes);
    if (bytes === undefined) throw tooLarge();
    try {
      return UTF8.decode(bytes);
    } catch {
      throw notUtf8();
    }
  }
  if (!request.body) return '';
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let size = 0;
  let text = '';
  try {
    for await (const chunk of request.body) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge();
      text += decoder.decode(chunk, { stream: true });
    }
    return text + decoder.decode();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw notUtf8();
  }
}

/** Decodes whole bodies; `fatal`, so invalid UTF-8 is refused rather than replaced. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const notUtf8 = () => new HttpError(400, 'Parse error: the body is not valid UTF-8', -32700);

/**
 * A bound that refused: 429 when the client used up its own share, 503 when the server is full;
 * either way with Retry-After and the option that governs it in the message and in `data.limit`.
 */
export function overloaded(refusal: QuotaRefusal, what: string, retryAfterSeconds: number): HttpError {
  return new HttpError(
    refusal.scope === 'client' ? 429 : 503,
    `${what} (${refusal.option}: ${refusal.limit}); retry later or raise ${refusal.option}`,
    ErrorCode.Overloaded,
    { 'retry-after': String(retryAfterSeconds) },
    { limit: refusal.option, retryAfterMs: retryAfterSeconds * 1000 },
  );
}

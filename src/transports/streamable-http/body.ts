import { ErrorCode } from '../../protocol/errors.js';
import type { HttpInput } from './http-core.js';
import { BadRequest, HttpError, PayloadTooLarge } from './http-error.js';

/** 4 MiB: a 1 MiB tool argument, escaped and wrapped in its envelope, fits (official SDKs: 4 MB). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Reads a request body as UTF-8 text, counting bytes as they stream in: a body over the limit is
 * refused (413) without being buffered whole, invalid UTF-8 is a parse error, never silently
 * replaced.
 */
export async function readBody(request: HttpInput, maxBytes: number): Promise<string> {
  const tooLarge = () => new PayloadTooLarge(maxBytes);
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
const notUtf8 = () => new BadRequest('Parse error: the body is not valid UTF-8', ErrorCode.ParseError);

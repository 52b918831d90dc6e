import { ErrorCode } from '../../protocol/errors.js';
import type { DecodeLimits } from '../../protocol/jsonrpc.js';
import type { HttpInput } from './http-core.js';
import { BadRequest, HttpError, PayloadTooLarge } from './http-error.js';

/** 4 MiB: a 1 MiB tool argument, escaped and wrapped in its envelope, fits (official SDKs: 4 MB). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The server's decode limits with the body limit where it is the stricter: one decode serves both. */
export function bodyDecodeLimits(server: DecodeLimits, maxBodyBytes: number): DecodeLimits {
  return { ...server, maxMessageLength: Math.min(maxBodyBytes, server.maxMessageLength) };
}

/**
 * Reads a request body as UTF-8 text, counting bytes as they stream in: a body over the limit is
 * refused (413) without being buffered whole, invalid UTF-8 is a parse error, never silently
 * replaced. Not async where the host collects the body itself (one promise less per request).
 */
export function readBody(request: HttpInput, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) return Promise.reject(new PayloadTooLarge(maxBytes));
  if (request.readAll) return request.readAll(maxBytes).then((bytes) => decodeWhole(bytes, maxBytes));
  return readStream(request, maxBytes);
}

function decodeWhole(bytes: Uint8Array | undefined, maxBytes: number): string {
  if (bytes === undefined) throw new PayloadTooLarge(maxBytes);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw notUtf8();
  }
}

async function readStream(request: HttpInput, maxBytes: number): Promise<string> {
  if (!request.body) return '';
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let size = 0;
  let text = '';
  try {
    for await (const chunk of request.body) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new PayloadTooLarge(maxBytes);
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

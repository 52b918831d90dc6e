/** An HTTP-level refusal: status, and the JSON-RPC error body that explains it. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = -32600,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toResponse(id: string | number | null = null): Response {
    const body = JSON.stringify({ jsonrpc: '2.0', id, error: { code: this.code, message: this.message } });
    return new Response(body, {
      status: this.status,
      headers: { 'content-type': 'application/json', ...this.headers },
    });
  }
}

/**
 * Reads a request body as UTF-8 text, counting bytes as they stream in: a body over the limit is
 * refused (413) without being buffered whole, invalid UTF-8 is a parse error, never silently
 * replaced.
 */
export async function readBody(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw new HttpError(413, `Request body exceeds ${maxBytes} bytes`);
  if (!request.body) return '';
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const reader = request.body.getReader();
  let size = 0;
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new HttpError(413, `Request body exceeds ${maxBytes} bytes`);
      }
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'Parse error: the body is not valid UTF-8', -32700);
  }
}

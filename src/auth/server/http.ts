// Small web-standard helpers the authorization server's endpoints share: bounded form and JSON
// bodies, OAuth error answers (RFC 6749 section 5.2), and plain pages for the person at the browser.

/** Longest request body an endpoint reads; longer ones are refused unread. */
const MAX_BODY = 16 * 1024;

export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

/** A body (of a request, or of a response this server fetched) as text, refused past `max` bytes whatever the Content-Length says. */
export async function boundedText(message: Request | Response, max = MAX_BODY): Promise<string> {
  const declared = Number(message.headers.get('content-length') ?? 0);
  if (declared > max) {
    await message.body?.cancel();
    throw new OAuthError('invalid_request', `the body is over ${max} bytes`, 413);
  }
  if (!message.body) return '';
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new OAuthError('invalid_request', `the body is over ${max} bytes`, 413);
    }
    chunks.push(value);
  }
  const whole = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(whole);
}

/** An `application/x-www-form-urlencoded` body; a parameter sent twice is an error (RFC 6749 3.1). */
export async function formOf(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded'))
    throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
  const form = new URLSearchParams(await boundedText(request));
  const seen = new Set<string>();
  for (const key of form.keys()) {
    if (seen.has(key)) throw new OAuthError('invalid_request', `the parameter ${key} is sent more than once`);
    seen.add(key);
  }
  return form;
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...NO_STORE, ...headers },
  });
}

export function oauthError(error: unknown): Response {
  if (error instanceof OAuthError) {
    const headers: Record<string, string> =
      error.status === 401 ? { 'www-authenticate': 'Basic realm="token endpoint"' } : {};
    return json({ error: error.error, error_description: error.description }, error.status, headers);
  }
  return json({ error: 'server_error', error_description: 'the authorization server failed' }, 500);
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Pages are never framed (clickjacking) and run no script. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  ...NO_STORE,
};

export function page(title: string, bodyHtml: string, status = 200, headers: Record<string, string> = {}) {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>body{font:16px system-ui;max-width:36em;margin:4em auto;padding:0 1em}button{font-size:1em;margin-right:1em}</style></head><body><h1>${escapeHtml(title)}</h1>${bodyHtml}</body></html>`;
  return new Response(html, { status, headers: { ...PAGE_HEADERS, ...headers } });
}

export { escapeHtml };

/** A cookie value from the request's Cookie header. */
export function cookieOf(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

import type { HeaderSource, HttpAnswer } from './http-core.js';

/**
 * CORS for browser clients, for the origins the Origin check already admits (`allowedOrigins`):
 * a preflight is answered, and every answer, errors included, lets the page read it and the headers
 * MCP needs (a 404 for a lost session must reach the page, or it cannot initialize again).
 */

const METHODS = 'GET, POST, DELETE';
/** Headers a browser may read: the session, the revision, and the reasons to wait or to authenticate. */
const EXPOSED = 'Mcp-Session-Id, Mcp-Protocol-Version, Retry-After, WWW-Authenticate';
/** What a preflight allows when the browser's own list cannot be echoed. */
const ALLOWED_HEADERS =
  'Content-Type, Accept, Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID';
/** A header-name list as a preflight sends it (RFC 9110 tokens), bounded in length. */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;
const MAX_HEADER_LIST = 2048;

/** The answer to `OPTIONS` from an admitted origin. */
export function preflight(origin: string, headers: HeaderSource): HttpAnswer {
  const requested = headers.get('access-control-request-headers');
  // Tools may declare their own `Mcp-Param-*` headers: echoing the browser's list allows them.
  const allowHeaders =
    requested !== null && requested.length <= MAX_HEADER_LIST && HEADER_LIST.test(requested.trim())
      ? requested.trim()
      : ALLOWED_HEADERS;
  return {
    status: 204,
    headers: {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': METHODS,
      'access-control-allow-headers': allowHeaders,
      'access-control-max-age': '600',
      vary: 'Origin, Access-Control-Request-Headers',
    },
    body: null,
  };
}

/** The same answer, readable by a page from `origin`. */
export function withCors(answer: HttpAnswer, origin: string): HttpAnswer {
  const vary = answer.headers.vary ? `${answer.headers.vary}, Origin` : 'Origin';
  return {
    ...answer,
    headers: {
      ...answer.headers,
      'access-control-allow-origin': origin,
      'access-control-expose-headers': EXPOSED,
      vary,
    },
  };
}

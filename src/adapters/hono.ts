import type { ConnInfo, WebHandler } from './node.js';

/** The part of a Hono context this adapter reads. */
interface HonoContext {
  req: { raw: Request };
  /** Per runtime; @hono/node-server puts the node request at `env.incoming`. */
  env?: unknown;
}

export interface HonoHandlerOptions {
  /** The client's address for per-client bounds; default: the node socket's, when on node. */
  connInfo?: (c: HonoContext) => ConnInfo;
}

function nodeConnInfo(c: HonoContext): ConnInfo {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return { remoteAddress: env?.incoming?.socket?.remoteAddress ?? '' };
}

/** A Hono route for a web handler: `app.all('/mcp', honoHandler(handler))`. Hono is web-standard already. */
export function honoHandler(handler: WebHandler, options: HonoHandlerOptions = {}) {
  const connInfo = options.connInfo ?? nodeConnInfo;
  return (c: HonoContext): Promise<Response> => handler(c.req.raw, connInfo(c));
}

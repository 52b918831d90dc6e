import type { WebHandler } from './node.js';

/** A Hono route for a web handler: `app.all('/mcp', honoHandler(handler))`. Hono is web-standard already. */
export function honoHandler(handler: WebHandler) {
  return (c: { req: { raw: Request } }): Promise<Response> => handler(c.req.raw);
}

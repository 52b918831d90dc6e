import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleNode, type WebHandler } from './node.js';

/**
 * Express middleware for a web handler: `app.all('/mcp', expressHandler(handler))`. When a body
 * parser already consumed the request, the parsed body is passed on as JSON; the handler's own
 * size limit still applies to it.
 */
export function expressHandler(handler: WebHandler) {
  return (req: IncomingMessage & { body?: unknown }, res: ServerResponse): void => {
    const parsed = req.body !== undefined && req.readableEnded;
    const body = parsed ? (typeof req.body === 'string' ? req.body : JSON.stringify(req.body)) : undefined;
    handleNode(handler, req, res, body);
  };
}

// mcpkit/node: mcpkit's HTTP handlers on node:http, natively (no web Request/Response bridge).
export type { ConnectionLimits } from '../adapters/connection-limiter.js';
export { type LoopbackRedirect, loopbackRedirect } from '../adapters/loopback-redirect.js';
export {
  type ConnInfo,
  handleNode,
  type ServeHttpOptions,
  serveHttp,
  toNodeListener,
  type WebHandler,
} from '../adapters/node.js';

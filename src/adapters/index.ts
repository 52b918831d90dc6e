export type { ConnectionLimits } from './connection-limiter.js';
export { expressHandler } from './express.js';
export { type HonoHandlerOptions, honoHandler } from './hono.js';
export { type LoopbackRedirect, loopbackRedirect } from './loopback-redirect.js';
export {
  type ConnInfo,
  handleNode,
  type ServeHttpOptions,
  serveHttp,
  toNodeListener,
  type WebHandler,
} from './node.js';

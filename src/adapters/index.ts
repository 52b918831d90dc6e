export { expressHandler } from './express.js';
export { honoHandler } from './hono.js';
export { handleNode, type ServeHttpOptions, serveHttp, toNodeListener, type WebHandler } from './node.js';

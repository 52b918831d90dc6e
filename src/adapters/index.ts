export { type ServeHttpOptions, serveHttp, toNodeListener, type WebHandler } from './node.js';

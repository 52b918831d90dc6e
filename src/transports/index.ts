export { createLinkedPair } from './memory/linked-pair.js';
export { LineSplitter } from './stdio/lines.js';
export { type Servable, serveStdio } from './stdio/serve.js';
export { StdioServerTransport, type StdioServerOptions } from './stdio/server.js';

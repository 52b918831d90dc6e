export { createLinkedPair } from './memory/linked-pair.js';
export { StdioClientTransport, type StdioClientOptions } from './stdio/client.js';
export { LineSplitter } from './stdio/lines.js';
export { type Servable, serveStdio } from './stdio/serve.js';
export { StdioServerTransport, type StdioServerOptions } from './stdio/server.js';

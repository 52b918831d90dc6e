// mcpkit/stdio: serving over and spawning servers on standard input and output (Node).
export { type StdioClientOptions, StdioClientTransport } from '../transports/stdio/client.js';
export { LineSplitter } from '../transports/stdio/lines.js';
export { type Servable, serveStdio } from '../transports/stdio/serve.js';
export { type StdioServerOptions, StdioServerTransport } from '../transports/stdio/server.js';

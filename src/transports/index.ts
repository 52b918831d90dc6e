export { type LegacySseClientOptions, LegacySseClientTransport } from './legacy-sse/client.js';
export { createLegacySseHandler, type LegacySseOptions } from './legacy-sse/server.js';
export { createLinkedPair } from './memory/linked-pair.js';
export { type StdioClientOptions, StdioClientTransport } from './stdio/client.js';
export { LineSplitter } from './stdio/lines.js';
export { type Servable, serveStdio } from './stdio/serve.js';
export { type StdioServerOptions, StdioServerTransport } from './stdio/server.js';
export { type StreamableHttpClientOptions, StreamableHttpClientTransport } from './streamable-http/client.js';
export {
  type EventStore,
  InMemoryEventStore,
  type InMemoryEventStoreOptions,
} from './streamable-http/event-store.js';
export type { HeaderSource, HttpAnswer, HttpInput } from './streamable-http/http-core.js';
export {
  type ConnInfo,
  createStreamableHttpHandler,
  type StreamableHttpHandler,
  type StreamableHttpOptions,
} from './streamable-http/server.js';

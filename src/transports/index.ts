// mcpkit/transports: every transport in one entry point, for Node. Runtimes without Node built-ins
// import mcpkit/http instead (stdio loads node:child_process).
export {
  type ClientKey,
  type ConnInfo,
  type CoreHandler,
  createLegacySseHandler,
  createStreamableHttpHandler,
  type EventStore,
  type HeaderSource,
  type HttpAnswer,
  type HttpInput,
  InMemoryEventStore,
  type InMemoryEventStoreOptions,
  type LegacySseClientOptions,
  LegacySseClientTransport,
  type LegacySseOptions,
  type StreamableHttpClientOptions,
  StreamableHttpClientTransport,
  type StreamableHttpHandler,
  type StreamableHttpOptions,
} from '../http/index.js';
export {
  LineSplitter,
  type Servable,
  type StdioClientOptions,
  StdioClientTransport,
  type StdioServerOptions,
  StdioServerTransport,
  serveStdio,
} from '../stdio/index.js';
export { createLinkedPair } from './memory/linked-pair.js';

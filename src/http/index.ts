// mcpkit/http: the Streamable HTTP handler and client and the 2024-11-05 HTTP+SSE transport, on web
// standards only. Loads no Node built-in: Deno, Bun, Workers and browsers import this entry point.
export {
  type LegacySseClientOptions,
  LegacySseClientTransport,
} from '../transports/legacy-sse/client.js';
export { createLegacySseHandler, type LegacySseOptions } from '../transports/legacy-sse/server.js';
export {
  type AuthChallenge,
  type HttpAuthorization,
  type StreamableHttpClientOptions,
  StreamableHttpClientTransport,
} from '../transports/streamable-http/client.js';
export {
  type EventStore,
  InMemoryEventStore,
  type InMemoryEventStoreOptions,
} from '../transports/streamable-http/event-store.js';
export type {
  ClientKey,
  CoreHandler,
  HeaderSource,
  HttpAnswer,
  HttpInput,
  RequestAuthenticator,
} from '../transports/streamable-http/http-core.js';
export {
  type ConnInfo,
  createStreamableHttpHandler,
  type StreamableHttpHandler,
  type StreamableHttpOptions,
} from '../transports/streamable-http/server.js';
export type {
  SessionState,
  SessionStore,
  StoredSession,
} from '../transports/streamable-http/session-store.js';

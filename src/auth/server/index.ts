// mcpkit/auth/server: an OAuth 2.1 authorization server for MCP servers that front an identity
// provider (the "OAuth proxy" pattern). Web standards only; mount its routes beside `/mcp`.
export {
  type AuthorizationServer,
  type AuthorizationServerOptions,
  authorizationServer,
} from './authorization-server.js';
export type { ClientAuthMethod, PreRegisteredClient } from './clients.js';
export {
  type AuthorizationStore,
  MemoryAuthorizationStore,
  type MemoryAuthorizationStoreOptions,
} from './store.js';
export type { Grant, TokenLifetimes } from './tokens.js';
export {
  type IdentityUpstream,
  type OidcUpstreamOptions,
  oidcUpstream,
  type UpstreamIdentity,
} from './upstream.js';

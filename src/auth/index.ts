// mcpkit/auth: who is calling, and what they may do. Web standards only (Web Crypto): runs on Node,
// Deno, Bun and Workers. OAuth access tokens as JWTs are in mcpkit/auth/jwt (needs `jose`).
export type { Principal } from '../engine/principal.js';
export { principalKey } from '../engine/principal.js';
export type { RequestAuthenticator } from '../transports/streamable-http/http-core.js';
export {
  type ApiKeyRecord,
  type ApiKeyStore,
  ApiKeys,
  type ApiKeysOptions,
  type NewApiKey,
} from './api-keys.js';
export { type BearerAuth, type BearerAuthOptions, bearerAuth } from './bearer-auth.js';
export { ClientCredentials, type ClientCredentialsOptions } from './client/client-credentials.js';
export {
  EnterpriseAuthorization,
  type EnterpriseAuthorizationOptions,
} from './client/enterprise-authorization.js';
export {
  OAuthClient,
  type OAuthClientOptions,
  type StoredTokens,
  type TokenStore,
} from './client/oauth-client.js';
export { type IntrospectionOptions, introspectionProvider } from './introspection.js';
export { AuthFailure, type AuthFailureReason, type AuthProvider, anyOf } from './provider.js';
export { Rbac, type RbacOptions, type RoleDefinition } from './rbac.js';
export { type ProtectedResourceMetadata, protectedResourceMetadata } from './resource-metadata.js';
export { type StaticToken, staticTokens } from './static-tokens.js';
export { TokenCache, type TokenCacheOptions } from './token-cache.js';

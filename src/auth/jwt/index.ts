// mcpkit/auth/jwt: OAuth 2.1 access tokens as JWTs, verified with `jose` (an optional peer
// dependency, loaded only from this subpath).
export { type JwtProviderOptions, jwtProvider } from './jwt-provider.js';

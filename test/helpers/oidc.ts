import Provider from 'oidc-provider';
import { serveHttp } from '../../src/adapters/index.js';
import { bearerAuth } from '../../src/auth/index.js';
import { jwtProvider } from '../../src/auth/jwt/index.js';
import { McpServer } from '../../src/server/index.js';
import { createStreamableHttpHandler } from '../../src/transports/index.js';
import { browse, freePort, serveProvider } from './idp.mjs';

// A real, independent OpenID provider (`oidc-provider`) on localhost, and an mcpkit server that
// accepts its JWT access tokens: dynamic registration, authorization code + PKCE, the resource
// indicator, refresh. The user's sign-in and consent are given by the provider's interaction route.

export interface OidcFixture {
  issuer: string;
  mcpUrl: string;
  /** Interactions the provider ran (sign-ins and consents). */
  signIns(): number;
  close(): Promise<void>;
}

/** `clients`: clients registered ahead of time, beside those that register themselves. */
export async function startOidcFixture(clients: Record<string, unknown>[] = []): Promise<OidcFixture> {
  const asPort = await freePort();
  const mcpPort = await freePort();
  const issuer = `http://127.0.0.1:${asPort}`;
  const resource = `http://127.0.0.1:${mcpPort}/mcp`;
  const provider = new Provider(issuer, {
    clients: clients as never[],
    features: {
      registration: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== resource) throw new Error(`unknown resource ${indicator}`);
          return {
            scope: 'mcp:read',
            audience: resource,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    scopes: ['openid', 'offline_access'],
    ttl: { AccessToken: 120 },
    // Refresh tokens for any client that asked for offline_access.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  });
  const idp = await serveProvider(provider, asPort);

  const server = new McpServer({ name: 'oidc-protected', version: '1' });
  server.tool('whoami', {}, (_args, ctx) => `${ctx.auth?.subject} (${ctx.auth?.scopes.join(' ')})`);
  const auth = bearerAuth({
    resource,
    authorizationServers: [issuer],
    scopes: ['mcp:read'],
    provider: jwtProvider({ issuer, audience: resource, jwksUrl: `${issuer}/jwks` }),
  });
  const handler = createStreamableHttpHandler(server, { auth });
  const http = await serveHttp(handler, { port: mcpPort, routes: auth.routes });
  return {
    issuer,
    mcpUrl: http.url,
    signIns: idp.signIns,
    async close() {
      await handler.close();
      await http.close();
      await idp.close();
    },
  };
}

export { browse };

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { serveHttp } from '../../src/adapters/index.js';
import { bearerAuth } from '../../src/auth/index.js';
import { jwtProvider } from '../../src/auth/jwt/index.js';
import { McpServer } from '../../src/server/index.js';
import { createStreamableHttpHandler } from '../../src/transports/index.js';

// A real, independent OpenID provider (`oidc-provider`) on localhost, and an mcpkit server that
// accepts its JWT access tokens: dynamic registration, authorization code + PKCE, the resource
// indicator, refresh. The user's sign-in and consent are given by the provider's interaction route.

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export interface OidcFixture {
  issuer: string;
  mcpUrl: string;
  /** Interactions the provider ran (sign-ins and consents). */
  signIns(): number;
  close(): Promise<void>;
}

export async function startOidcFixture(): Promise<OidcFixture> {
  const asPort = await freePort();
  const mcpPort = await freePort();
  const issuer = `http://127.0.0.1:${asPort}`;
  const resource = `http://127.0.0.1:${mcpPort}/mcp`;
  let signIns = 0;
  const provider = new Provider(issuer, {
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
  // The user's sign-in and consent, done by the test: every interaction becomes alice's approval.
  const callback = provider.callback();
  const asServer: Server = createServer(async (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      signIns++;
      const details = await provider.interactionDetails(req, res);
      const grant = details.grantId
        ? ((await provider.Grant.find(details.grantId)) as InstanceType<typeof provider.Grant>)
        : new provider.Grant({ accountId: 'alice', clientId: String(details.params.client_id) });
      // Approves whatever the request asks: the scopes, and the resource scopes per resource.
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
        grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: 'alice' }, consent: { grantId } },
        {
          mergeWithLastSubmission: false,
        },
      );
      return;
    }
    callback(req, res);
  });
  await new Promise<void>((resolve) => asServer.listen(asPort, '127.0.0.1', resolve));

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
    signIns: () => signIns,
    async close() {
      await handler.close();
      await http.close();
      asServer.close();
    },
  };
}

/**
 * A browser, as far as the flow needs one: follows redirects and keeps cookies; stops at a URL
 * starting with `stopAt` (returned unvisited), or visits the last one and returns it.
 */
export async function browse(start: URL | string, stopAt?: string): Promise<string> {
  const cookies = new Map<string, string>();
  let url = new URL(start).href;
  for (let hop = 0; hop < 10; hop++) {
    if (stopAt && url.startsWith(stopAt)) return url;
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = (pair as string).split('=');
      cookies.set(name as string, value ?? '');
    }
    const location = response.headers.get('location');
    await response.body?.cancel();
    if (!location) {
      if (stopAt) throw new Error(`the authorization flow stopped at ${url} with HTTP ${response.status}`);
      return url;
    }
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects');
}

// The authorization server the suite's `authorization` scenarios run against: mcpkit/auth/server
// (from dist, as users get it) in front of a real OpenID provider, with one pre-registered public
// client whose redirect URI is the suite's loopback callback.
import { serveHttp } from '../../dist/adapters/index.mjs';
import { authorizationServer, oidcUpstream } from '../../dist/auth/server/index.mjs';
import { freePort, startUpstreamIdp } from '../helpers/idp.mjs';

export const CLIENT_ID = 'conformance-client';

/** Starts both servers; `callbackPort` is where the suite listens for the authorization response. */
export async function startAuthorizationServer(callbackPort) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const resource = `${issuer}/mcp`;
  const upstreamSecret = crypto.randomUUID();
  const upstream = await startUpstreamIdp({
    clientId: 'mcpkit-proxy',
    clientSecret: upstreamSecret,
    redirectUri: `${issuer}/callback`,
  });
  const as = authorizationServer({
    issuer,
    upstream: oidcUpstream({
      issuer: upstream.issuer,
      clientId: 'mcpkit-proxy',
      clientSecret: upstreamSecret,
    }),
    resources: [resource],
    clients: [{ clientId: CLIENT_ID, redirectUris: [`http://127.0.0.1:${callbackPort}/callback`] }],
  });
  const http = await serveHttp(async () => new Response('no MCP here', { status: 404 }), {
    port,
    path: '/mcp',
    routes: as.routes,
  });
  return {
    issuer,
    resource,
    async close() {
      await http.close();
      await upstream.close();
    },
  };
}

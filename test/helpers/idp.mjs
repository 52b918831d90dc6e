// A real, independent OpenID provider (`oidc-provider`) on localhost whose sign-ins and consents
// are given at once as user `alice`, and a browser as far as an OAuth flow needs one. Plain
// JavaScript: the conformance runner (test/conformance) uses it as well as the vitest suites.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

export async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Starts `provider` (built for `http://127.0.0.1:<port>`) on that port; every interaction becomes
 * alice's sign-in and her approval of whatever the request asks.
 */
export async function serveProvider(provider, port) {
  let signIns = 0;
  const callback = provider.callback();
  const server = createServer(async (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    signIns++;
    const details = await provider.interactionDetails(req, res);
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: 'alice', clientId: String(details.params.client_id) });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: 'alice' }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { signIns: () => signIns, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * An OpenID provider that knows one client, with no dynamic registration: the identity provider an
 * authorization server in front of it ("OAuth proxy") signs users in with.
 */
export async function startUpstreamIdp({ clientId, clientSecret, redirectUri }) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    features: { devInteractions: { enabled: false } },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600 },
    claims: { email: ['email', 'email_verified'], openid: ['sub'] },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@example.com`, email_verified: true }),
    }),
  });
  const served = await serveProvider(provider, port);
  return { issuer, ...served };
}

/**
 * A browser, as far as the flow needs one: follows redirects and keeps cookies; answers a consent
 * form (a page with a form posting a hidden `request`) with `consent` when given; stops at a URL
 * starting with `stopAt` (returned unvisited), or visits the last one and returns it.
 */
export async function browse(start, stopAt, consent) {
  const cookies = new Map();
  let url = new URL(start).href;
  let post;
  for (let hop = 0; hop < 12; hop++) {
    if (stopAt && url.startsWith(stopAt)) return url;
    const response = await fetch(url, {
      redirect: 'manual',
      method: post ? 'POST' : 'GET',
      headers: {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(post ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(post ? { body: post } : {}),
    });
    post = undefined;
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const location = response.headers.get('location');
    const text = await response.text();
    if (location) {
      url = new URL(location, url).href;
      continue;
    }
    const form =
      /<form method="post" action="([^"]+)"><input type="hidden" name="request" value="([^"]+)">/.exec(text);
    if (form && consent) {
      post = new URLSearchParams({
        request: form[2].replace(/&#(\d+);/g, (_, c) => String.fromCharCode(c)),
        decision: consent,
      }).toString();
      url = new URL(
        form[1].replace(/&#(\d+);/g, (_, c) => String.fromCharCode(c)),
        url,
      ).href;
      continue;
    }
    if (stopAt) throw new Error(`the authorization flow stopped at ${url} with HTTP ${response.status}`);
    return url;
  }
  throw new Error('too many redirects');
}

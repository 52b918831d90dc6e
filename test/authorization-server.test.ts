import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHttp } from '../src/adapters/index.js';
import { pkceChallenge, randomToken } from '../src/auth/client/pkce.js';
import { bearerAuth, OAuthClient } from '../src/auth/index.js';
import { authorizationServer, oidcUpstream } from '../src/auth/server/index.js';
import { Client } from '../src/client/index.js';
import { McpServer } from '../src/server/index.js';
import { createStreamableHttpHandler, StreamableHttpClientTransport } from '../src/transports/index.js';
import { browse, freePort, startUpstreamIdp } from './helpers/idp.mjs';

// mcpkit/auth/server in front of a real OpenID provider (oidc-provider, which registers no MCP
// clients itself), issuing the tokens an mcpkit server accepts: the "OAuth proxy" pattern.

const REDIRECT = 'http://127.0.0.1:8977/callback';
let origin: string;
let issuer: string;
let resource: string;
let upstream: Awaited<ReturnType<typeof startUpstreamIdp>>;
let as: ReturnType<typeof authorizationServer>;
let close: () => Promise<void>;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  issuer = `${origin}/oauth`;
  resource = `${origin}/mcp`;
  upstream = await startUpstreamIdp({
    clientId: 'mcp-proxy',
    clientSecret: 'a-secret-the-proxy-holds-at-the-upstream',
    redirectUri: `${issuer}/callback`,
  });
  as = authorizationServer({
    issuer,
    upstream: oidcUpstream({
      issuer: upstream.issuer,
      clientId: 'mcp-proxy',
      clientSecret: 'a-secret-the-proxy-holds-at-the-upstream',
    }),
    resources: [resource],
    scopes: ['mcp:tools', 'mcp:admin'],
    defaultScope: 'mcp:tools',
    clients: [{ clientId: 'our-cli', redirectUris: [REDIRECT] }],
    allowLoopbackMetadata: true,
  });
  const server = new McpServer({ name: 'proxied', version: '1' });
  server.tool(
    'whoami',
    {},
    (_args, ctx) => `${ctx.auth?.subject} ${ctx.auth?.claims?.email} (${ctx.auth?.scopes.join(' ')})`,
  );
  const auth = bearerAuth({
    resource,
    authorizationServers: [issuer],
    scopes: ['mcp:tools'],
    provider: as.accessTokens(resource),
  });
  const handler = createStreamableHttpHandler(server, { auth });
  const http = await serveHttp(handler, { port, routes: { ...as.routes, ...auth.routes } });
  close = async () => {
    await handler.close();
    await http.close();
    await upstream.close();
  };
}, 30_000);
afterAll(async () => {
  await close?.();
});

async function whoami(authorization: OAuthClient): Promise<unknown> {
  const client = new Client({ name: 'proxy-e2e', version: '1' });
  await client.connect(new StreamableHttpClientTransport(resource, { authorization }));
  try {
    return (await client.callTool('whoami')).content;
  } finally {
    await client.close();
  }
}

async function register(redirectUris = [REDIRECT], method = 'none'): Promise<Record<string, string>> {
  const response = await fetch(`${issuer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      redirect_uris: redirectUris,
      client_name: 'Test App',
      token_endpoint_auth_method: method,
    }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Record<string, string>;
}

function authorizeUrl(clientId: string, challenge: string, extra: Record<string, string> = {}): URL {
  const url = new URL(`${issuer}/authorize`);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st-1',
    resource,
    ...extra,
  }))
    url.searchParams.set(k, v);
  return url;
}

/** The whole browser part for a pre-registered client: a code and the verifier that redeems it. */
async function codeFor(clientId = 'our-cli'): Promise<{ code: string; verifier: string }> {
  const verifier = randomToken();
  const back = new URL(
    await browse(authorizeUrl(clientId, await pkceChallenge(verifier)), REDIRECT, 'allow'),
  );
  expect(back.searchParams.get('iss')).toBe(issuer);
  expect(back.searchParams.get('state')).toBe('st-1');
  return { code: back.searchParams.get('code') as string, verifier };
}

async function tokenRequest(params: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, string>,
    headers: response.headers,
  };
}

const redeem = (code: string, verifier: string, clientId = 'our-cli') =>
  tokenRequest({
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
    client_id: clientId,
    resource,
  });

async function mcpStatus(accessToken: string): Promise<number> {
  const response = await fetch(resource, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('authorizationServer (OAuth proxy) in front of oidc-provider', () => {
  it('a client that registers itself is approved by the user, signs in upstream and calls the server', async () => {
    const before = upstream.signIns();
    const authorization = new OAuthClient({
      redirectUri: REDIRECT,
      clientName: 'Dynamic App',
      redirect: (url) => browse(url, REDIRECT, 'allow'),
    });
    expect(await whoami(authorization)).toEqual([
      { type: 'text', text: 'alice alice@example.com (mcp:tools)' },
    ]);
    expect(upstream.signIns()).toBeGreaterThan(before);
  });

  it('a pre-registered client goes straight to the sign-in, with no consent page', async () => {
    const authorization = new OAuthClient({
      redirectUri: REDIRECT,
      clientId: 'our-cli',
      redirect: (url) => browse(url, REDIRECT), // no consent answer: a consent page would stop it
    });
    expect(await whoami(authorization)).toEqual([
      { type: 'text', text: 'alice alice@example.com (mcp:tools)' },
    ]);
  });

  it('a declined consent goes back to the client as access_denied, with its state and our iss', async () => {
    const { client_id } = await register();
    const back = new URL(await browse(authorizeUrl(client_id as string, 'x'.repeat(43)), REDIRECT, 'deny'));
    expect(Object.fromEntries(back.searchParams)).toMatchObject({
      error: 'access_denied',
      state: 'st-1',
      iss: issuer,
    });
  });

  it('publishes RFC 8414 metadata at the path-inserted well-known URL, and the server names it', async () => {
    const metadata = (await (
      await fetch(`${origin}/.well-known/oauth-authorization-server/oauth`)
    ).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      registration_endpoint: `${issuer}/register`,
      code_challenge_methods_supported: ['S256'],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
    const prm = (await (await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<
      string,
      unknown
    >;
    expect(prm.authorization_servers).toEqual([issuer]);
  });

  it('a code is redeemed once, with its verifier and redirect URI; a replay revokes what it issued', async () => {
    const wrongVerifier = await codeFor();
    expect(await redeem(wrongVerifier.code, randomToken())).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    const wrongRedirect = await codeFor();
    const other = await tokenRequest({
      grant_type: 'authorization_code',
      code: wrongRedirect.code,
      code_verifier: wrongRedirect.verifier,
      redirect_uri: 'http://127.0.0.1:1/elsewhere',
      client_id: 'our-cli',
    });
    expect(other).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const { code, verifier } = await codeFor();
    const first = await redeem(code, verifier);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body).toMatchObject({
      token_type: 'Bearer',
      scope: 'mcp:tools',
      access_token: expect.stringMatching(/^mat_/),
    });
    expect(await mcpStatus(first.body.access_token as string)).toBe(200);
    expect(await redeem(code, verifier)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await mcpStatus(first.body.access_token as string)).toBe(401);
  });

  it('refresh tokens rotate; presenting a used one revokes the whole family', async () => {
    const { code, verifier } = await codeFor();
    const first = (await redeem(code, verifier)).body;
    const second = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token as string,
      client_id: 'our-cli',
    });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(await mcpStatus(second.body.access_token as string)).toBe(200);
    const replay = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token as string,
      client_id: 'our-cli',
    });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await mcpStatus(second.body.access_token as string)).toBe(401);
    const after = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: second.body.refresh_token as string,
      client_id: 'our-cli',
    });
    expect(after).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('a token works only at the resource it was issued for', async () => {
    const { code, verifier } = await codeFor();
    const { access_token } = (await redeem(code, verifier)).body;
    await expect(
      as.accessTokens('https://other.example.com/mcp').authenticate(access_token as string),
    ).rejects.toThrow(/another resource/);
    expect(await as.accessTokens(resource).authenticate(access_token as string)).toMatchObject({
      subject: 'alice',
      clientId: 'our-cli',
      scopes: ['mcp:tools'],
      method: 'oauth',
    });
  });

  it('an unregistered redirect URI, a forged client id or a foreign consent form is shown an error, never redirected', async () => {
    const { client_id } = await register();
    const elsewhere = await fetch(
      authorizeUrl(client_id as string, 'x'.repeat(43), { redirect_uri: 'https://evil.example.com/cb' }),
      { redirect: 'manual' },
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get('location')).toBeNull();
    const forgedId = `${(client_id as string).slice(0, -4)}AAAA`;
    const forged = await fetch(authorizeUrl(forgedId, 'x'.repeat(43)), { redirect: 'manual' });
    expect(forged.status).toBe(400);
    // A consent form opened by one browser, posted by another (a cross-site request): refused.
    const consent = await fetch(authorizeUrl(client_id as string, 'x'.repeat(43)), { redirect: 'manual' });
    expect(consent.status).toBe(200);
    expect(consent.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const sealed = /name="request" value="([^"]+)"/.exec(await consent.text())?.[1] as string;
    const posted = await fetch(`${issuer}/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request: sealed, decision: 'allow' }).toString(),
    });
    expect(posted.status).toBe(400);
    expect(posted.headers.get('location')).toBeNull();
  });

  it('PKCE S256 is required: a request without it goes back as invalid_request', async () => {
    const url = authorizeUrl('our-cli', 'x'.repeat(43), { code_challenge_method: 'plain' });
    const response = await fetch(url, { redirect: 'manual' });
    const back = new URL(response.headers.get('location') as string);
    expect(Object.fromEntries(back.searchParams)).toMatchObject({
      error: 'invalid_request',
      state: 'st-1',
      iss: issuer,
    });
  });

  it('client authentication: a confidential client needs its own secret; bodies are bounded', async () => {
    const confidential = await register([REDIRECT], 'client_secret_basic');
    expect(confidential.client_secret).toEqual(expect.any(String));
    const basic = (id: string, secret: string) => ({
      authorization: `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`,
    });
    const wrong = await tokenRequest(
      { grant_type: 'refresh_token', refresh_token: 'x' },
      basic(confidential.client_id as string, 'nope'),
    );
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const right = await tokenRequest(
      { grant_type: 'refresh_token', refresh_token: 'x' },
      basic(confidential.client_id as string, confidential.client_secret as string),
    );
    expect(right).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const huge = await tokenRequest({
      grant_type: 'authorization_code',
      code: 'x'.repeat(20_000),
      client_id: 'our-cli',
    });
    expect(huge).toMatchObject({ status: 413, body: { error: 'invalid_request' } });
    const twice = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=a&code=b&client_id=our-cli',
    });
    expect(twice.status).toBe(400);
  });

  it('takes a client identified by its metadata document, and refuses one too large to read', async () => {
    const documents = createServer((req, res) => {
      const url = `http://127.0.0.1:${(documents.address() as AddressInfo).port}${req.url}`;
      if (req.url === '/huge.json')
        return res.end(JSON.stringify({ client_id: url, pad: 'x'.repeat(20_000) }));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ client_id: url, client_name: 'Doc App', redirect_uris: [REDIRECT] }));
    });
    await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(documents.address() as AddressInfo).port}`;
    try {
      const authorization = new OAuthClient({
        redirectUri: REDIRECT,
        clientMetadataUrl: `${base}/client.json`,
        redirect: (url) => {
          expect(url.searchParams.get('client_id')).toBe(`${base}/client.json`);
          return browse(url, REDIRECT, 'allow'); // a metadata-document client needs the user's consent
        },
      });
      expect(await whoami(authorization)).toEqual([
        { type: 'text', text: 'alice alice@example.com (mcp:tools)' },
      ]);
      const huge = await fetch(authorizeUrl(`${base}/huge.json`, 'x'.repeat(43)), { redirect: 'manual' });
      expect([huge.status, huge.headers.get('location')]).toEqual([400, null]);
    } finally {
      documents.close();
    }
  });

  it('refuses dangerous redirect URIs at registration', async () => {
    for (const uri of [
      'javascript:alert(1)',
      'http://evil.example.com/cb',
      'https://ok.example.com/cb#frag',
      'not a url',
    ]) {
      const response = await fetch(`${issuer}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: [uri] }),
      });
      expect([response.status, ((await response.json()) as { error: string }).error]).toEqual([
        400,
        'invalid_redirect_uri',
      ]);
    }
  });
});

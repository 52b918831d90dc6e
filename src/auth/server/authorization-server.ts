import { base64url } from '../../engine/base64url.js';
import { pkceChallenge, randomToken } from '../client/pkce.js';
import type { AuthProvider } from '../provider.js';
import { withoutTrailingSlashes } from '../trailing-slashes.js';
import { ClientRegistry, type ClientRegistryOptions, type KnownClient, redirectMatches } from './clients.js';
import { consentPage, rememberConsent, rememberedConsent } from './consent.js';
import { boundedText, cookieOf, formOf, json, OAuthError, oauthError, page } from './http.js';
import { Sealer } from './sealed.js';
import { type AuthorizationStore, MemoryAuthorizationStore } from './store.js';
import { type Grant, keyOf, randomSecret, type TokenLifetimes, Tokens } from './tokens.js';
import type { IdentityUpstream, UpstreamIdentity } from './upstream.js';

type WebHandler = (request: Request) => Promise<Response>;

export interface AuthorizationServerOptions extends ClientRegistryOptions, TokenLifetimes {
  /** This server's issuer: its public URL, such as `https://mcp.example.com` or `https://example.com/oauth`. */
  issuer: string;
  /** Where users sign in: the identity provider this server fronts. */
  upstream: IdentityUpstream;
  /** The MCP servers (resource identifiers, RFC 8707) tokens may be issued for. */
  resources: string[];
  /** Scopes clients may ask for. A request without `scope` gets `defaultScope`. */
  scopes?: string[];
  defaultScope?: string;
  /**
   * Decides what a signed-in user gets: the scope to grant (a subset of what was asked), or false
   * to refuse. Default: whatever was asked.
   */
  grantScope?: (
    user: UpstreamIdentity,
    request: { clientId: string; scope: string; resource: string },
  ) => Promise<string | false> | string | false;
  /** Roles for the principal of a token, for RBAC. Default none. */
  roles?: (grant: Grant) => string[];
  /** Ask users before a client may sign in through this server: `untrusted` (dynamic and metadata-document clients, the default) or `always`. */
  consent?: 'untrusted' | 'always';
  /**
   * Seals sign-ins in flight, consent cookies and dynamic client ids, and derives dynamic client
   * secrets: at least 32 bytes, the same on every node. Default: random per process (restarts
   * forget dynamic clients and sign-ins in flight).
   */
  secret?: Uint8Array;
  /** Codes, tokens: in memory by default. */
  store?: AuthorizationStore;
}

/** The sign-in in flight, sealed into the upstream `state`: nothing is stored until it completes. */
interface Pending {
  c: string;
  r: string;
  s?: string;
  ch: string;
  sc: string;
  res: string;
  /** Upstream PKCE verifier and OpenID nonce. */
  v: string;
  n: string;
  /** Ties the flow to the browser that started it (a cookie holds the same value). */
  b: string;
}

interface CodeRecord {
  grant: Grant;
  redirectUri: string;
  challenge: string;
}

const CODE_TTL_MS = 60_000;
const PENDING_TTL_MS = 10 * 60_000;
const BROWSER_COOKIE = 'mcpkit_oauth';
const MAX_STATE = 1024;

export interface AuthorizationServer {
  readonly issuer: string;
  readonly metadata: Record<string, unknown>;
  /** Handlers by path, to mount beside the MCP endpoint: `serveHttp(mcp, { routes: { ...as.routes, ...auth.routes } })`. */
  readonly routes: Record<string, WebHandler>;
  /** One handler for every route (404 elsewhere), for fetch-style hosts. */
  fetch(request: Request): Promise<Response>;
  /** Authenticates requests to `resource` carrying tokens this server issued: give it to `bearerAuth`. */
  accessTokens(resource: string): AuthProvider;
}

/**
 * An OAuth 2.1 authorization server for MCP servers whose users sign in at an identity provider
 * that cannot register MCP clients itself (the "OAuth proxy" pattern): it publishes RFC 8414
 * metadata, registers clients (pre-registered, Client ID Metadata Documents, RFC 7591 dynamic
 * registration), asks the user's consent for clients it does not know, sends the user to the
 * upstream to sign in, and issues its own codes (PKCE S256 required, `iss` in the response) and
 * tokens bound to one MCP server. Upstream tokens never reach the client.
 */
export function authorizationServer(options: AuthorizationServerOptions): AuthorizationServer {
  const issuer = withoutTrailingSlashes(options.issuer);
  const issuerUrl = new URL(issuer);
  const base = withoutTrailingSlashes(issuerUrl.pathname);
  const secure = issuerUrl.protocol === 'https:';
  const secret = options.secret ?? crypto.getRandomValues(new Uint8Array(32));
  if (secret.length < 32) throw new TypeError('authorizationServer: the secret must be at least 32 bytes');
  if (!options.resources.length) throw new TypeError('authorizationServer: name at least one resource');
  const sealer = new Sealer(secret);
  const store = options.store ?? new MemoryAuthorizationStore();
  const clients = new ClientRegistry(options, sealer);
  const tokens = new Tokens(store, options);
  const supportedScopes = options.scopes ? new Set(options.scopes) : undefined;
  const path = (name: string) => `${base}/${name}`;
  const endpoint = (name: string) => `${issuerUrl.origin}${path(name)}`;
  const callbackUrl = endpoint('callback');

  const metadata: Record<string, unknown> = {
    issuer,
    authorization_endpoint: endpoint('authorize'),
    token_endpoint: endpoint('token'),
    ...(clients.dynamicRegistration ? { registration_endpoint: endpoint('register') } : {}),
    revocation_endpoint: endpoint('revoke'),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    ...(options.scopes ? { scopes_supported: options.scopes } : {}),
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: clients.metadataDocuments,
  };
  const metadataBody = JSON.stringify(metadata);

  /** Errors once the client and its redirect URI are trusted go back to the client (RFC 6749 4.1.2.1). */
  function redirectBack(redirectUri: string, params: Record<string, string | undefined>): Response {
    const url = new URL(redirectUri);
    for (const [name, value] of Object.entries(params))
      if (value !== undefined) url.searchParams.set(name, value);
    url.searchParams.set('iss', issuer);
    return new Response(null, { status: 303, headers: { location: url.href, 'cache-control': 'no-store' } });
  }

  function browserCookie(value: string, maxAge: number): string {
    return `${BROWSER_COOKIE}=${value}; Path=${base || '/'}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  }

  /** Checks an authorization request; what cannot be sent back to the client is shown to the user. */
  async function validate(params: URLSearchParams): Promise<Pending | Response> {
    for (const name of ['client_id', 'redirect_uri', 'state', 'scope', 'resource', 'code_challenge'])
      if (params.getAll(name).length > 1)
        return page('Sign-in refused', `<p>The parameter ${name} is sent more than once.</p>`, 400);
    const clientId = params.get('client_id');
    const client = clientId ? await clients.find(clientId) : undefined;
    if (!client) return page('Sign-in refused', '<p>The application asking is not registered here.</p>', 400);
    const redirectUri =
      params.get('redirect_uri') ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
    if (!redirectUri || !redirectMatches(client.redirectUris, redirectUri))
      return page(
        'Sign-in refused',
        '<p>The application asked to return to an address it did not register.</p>',
        400,
      );
    const state = params.get('state') ?? undefined;
    const fail = (error: string, description: string) =>
      redirectBack(redirectUri, { error, error_description: description, state });
    if (state && state.length > MAX_STATE)
      return fail('invalid_request', `state is over ${MAX_STATE} characters`);
    if (params.get('response_type') !== 'code')
      return fail('unsupported_response_type', 'response_type must be code');
    const challenge = params.get('code_challenge');
    if (!challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge))
      return fail('invalid_request', 'PKCE is required: send a code_challenge (S256)');
    if (params.get('code_challenge_method') !== 'S256')
      return fail('invalid_request', 'code_challenge_method must be S256');
    const resource =
      params.get('resource') ?? (options.resources.length === 1 ? options.resources[0] : undefined);
    if (!resource || !options.resources.includes(resource))
      return fail('invalid_target', `resource must be one of: ${options.resources.join(', ')}`);
    const scope = (params.get('scope') ?? options.defaultScope ?? '').split(' ').filter(Boolean);
    const unknown = supportedScopes ? scope.filter((s) => !supportedScopes.has(s)) : [];
    if (unknown.length) return fail('invalid_scope', `unknown scope: ${unknown.join(' ')}`);
    return {
      c: client.clientId,
      r: redirectUri,
      ...(state ? { s: state } : {}),
      ch: challenge,
      sc: [...new Set(scope)].join(' '),
      res: resource,
      v: randomToken(),
      n: randomToken(),
      b: randomToken(),
    };
  }

  /** Off to the upstream to sign in, with the sign-in sealed into its `state`. */
  async function toUpstream(pending: Pending, extraCookies: string[] = []): Promise<Response> {
    const state = await sealer.seal('pending', pending, PENDING_TTL_MS);
    const url = await options.upstream.signInUrl({
      callbackUrl,
      state,
      codeChallenge: await pkceChallenge(pending.v),
      nonce: pending.n,
    });
    const headers = new Headers({ location: url.href, 'cache-control': 'no-store' });
    headers.append('set-cookie', browserCookie(pending.b, PENDING_TTL_MS / 1000));
    for (const cookie of extraCookies) headers.append('set-cookie', cookie);
    return new Response(null, { status: 303, headers });
  }

  const needsConsent = (client: KnownClient) => options.consent === 'always' || client.requireConsent;

  async function authorize(request: Request): Promise<Response> {
    if (request.method === 'GET') {
      const pending = await validate(new URL(request.url).searchParams);
      if (pending instanceof Response) return pending;
      const client = (await clients.find(pending.c)) as KnownClient;
      if (!needsConsent(client) || (await rememberedConsent(sealer, request, client.clientId)))
        return toUpstream(pending);
      const sealed = await sealer.seal('consent', pending, PENDING_TTL_MS);
      return consentPage(
        client,
        pending,
        sealed,
        path('authorize'),
        browserCookie(pending.b, PENDING_TTL_MS / 1000),
      );
    }
    if (request.method !== 'POST')
      return new Response(null, { status: 405, headers: { allow: 'GET, POST' } });
    // The consent form: its sealed request must belong to this browser (a cross-site post cannot).
    const form = await formOf(request).catch(() => undefined);
    const pending = await sealer.open<Pending>('consent', form?.get('request'));
    if (!pending || cookieOf(request, BROWSER_COOKIE) !== pending.b)
      return page(
        'Sign-in refused',
        '<p>This consent form has expired or was not opened in this browser. Start again from the application.</p>',
        400,
      );
    if (form?.get('decision') !== 'allow')
      return redirectBack(pending.r, {
        error: 'access_denied',
        error_description: 'the user declined',
        state: pending.s,
      });
    return toUpstream({ ...pending, b: randomToken() }, [
      await rememberConsent(sealer, request, pending.c, base, secure),
    ]);
  }

  async function callback(request: Request): Promise<Response> {
    const params = new URL(request.url).searchParams;
    const pending = await sealer.open<Pending>('pending', params.get('state'));
    if (!pending || cookieOf(request, BROWSER_COOKIE) !== pending.b)
      return page(
        'Sign-in refused',
        '<p>This sign-in has expired or was not started in this browser. Start again from the application.</p>',
        400,
      );
    const clear = { 'set-cookie': browserCookie('', 0) };
    let user: UpstreamIdentity;
    try {
      user = await options.upstream.complete({
        callbackUrl,
        params,
        codeVerifier: pending.v,
        nonce: pending.n,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'sign-in failed';
      const back = redirectBack(pending.r, {
        error: 'access_denied',
        error_description: reason,
        state: pending.s,
      });
      back.headers.append('set-cookie', clear['set-cookie']);
      return back;
    }
    const granted = options.grantScope
      ? await options.grantScope(user, { clientId: pending.c, scope: pending.sc, resource: pending.res })
      : pending.sc;
    if (granted === false)
      return redirectBack(pending.r, {
        error: 'access_denied',
        error_description: 'this user may not use this server',
        state: pending.s,
      });
    const code = randomSecret('mac_');
    const record: CodeRecord = {
      grant: {
        subject: user.subject,
        clientId: pending.c,
        scope: granted,
        resource: pending.res,
        ...(user.claims ? { claims: boundedClaims(user.claims) } : {}),
        family: base64url(crypto.getRandomValues(new Uint8Array(16))),
      },
      redirectUri: pending.r,
      challenge: pending.ch,
    };
    try {
      await store.set(await keyOf('code', code), JSON.stringify(record), CODE_TTL_MS);
    } catch {
      return redirectBack(pending.r, {
        error: 'temporarily_unavailable',
        error_description: 'try again later',
        state: pending.s,
      });
    }
    const back = redirectBack(pending.r, { code, state: pending.s });
    back.headers.append('set-cookie', clear['set-cookie']);
    return back;
  }

  /** RFC 6749 2.3.1: Basic (form-encoded id and secret) or the body; never both. */
  async function authenticateClient(request: Request, form: URLSearchParams): Promise<KnownClient> {
    const header = request.headers.get('authorization');
    let id = form.get('client_id');
    let presented = form.get('client_secret');
    if (header) {
      const basic = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header.trim());
      if (!basic || presented !== null)
        throw new OAuthError('invalid_client', 'use one client authentication method', 401);
      const decoded = atob(basic[1] as string);
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new OAuthError('invalid_client', 'malformed Basic credentials', 401);
      const basicId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      if (id !== null && id !== basicId)
        throw new OAuthError('invalid_client', 'client_id does not match', 401);
      id = basicId;
      presented = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    }
    const client = id ? await clients.find(id) : undefined;
    if (!client) throw new OAuthError('invalid_client', 'unknown client', 401);
    if (client.secretMatches) {
      if (presented === null || !(await client.secretMatches(presented)))
        throw new OAuthError('invalid_client', 'the client secret is missing or wrong', 401);
    } else if (presented !== null) {
      throw new OAuthError('invalid_client', 'this client is public: it has no secret', 401);
    }
    return client;
  }

  async function token(request: Request): Promise<Response> {
    if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'POST' } });
    const form = await formOf(request);
    const client = await authenticateClient(request, form);
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      const key = await keyOf('code', code);
      const stored = await store.take(key);
      if (!stored) {
        // A code presented twice: revoke what the first use issued (RFC 6749 section 4.1.2).
        const family = await store.get(`${key}:used`);
        if (family) await tokens.revokeFamily(family);
        throw new OAuthError('invalid_grant', 'the code is unknown, expired or already used');
      }
      const record = JSON.parse(stored) as CodeRecord;
      await store.set(`${key}:used`, record.grant.family, PENDING_TTL_MS);
      if (record.grant.clientId !== client.clientId)
        throw new OAuthError('invalid_grant', 'the code was issued to another client');
      if (form.get('redirect_uri') !== record.redirectUri)
        throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
      const verifier = form.get('code_verifier');
      if (
        !verifier ||
        !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) ||
        (await pkceChallenge(verifier)) !== record.challenge
      )
        throw new OAuthError('invalid_grant', 'the code_verifier does not match the code_challenge');
      const resource = form.get('resource');
      if (resource !== null && resource !== record.grant.resource)
        throw new OAuthError('invalid_target', 'resource does not match the authorization request');
      return json(await tokens.issue(record.grant));
    }
    if (grantType === 'refresh_token') {
      const resource = form.get('resource');
      const issued = await tokens.refresh(
        form.get('refresh_token') ?? '',
        client.clientId,
        form.get('scope'),
        resource,
      );
      return json(issued);
    }
    throw new OAuthError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  }

  async function register(request: Request): Promise<Response> {
    if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'POST' } });
    if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json'))
      throw new OAuthError('invalid_client_metadata', 'the body must be application/json');
    let metadata: unknown;
    try {
      metadata = JSON.parse(await boundedText(request));
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      throw new OAuthError('invalid_client_metadata', 'the body is not JSON');
    }
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
      throw new OAuthError('invalid_client_metadata', 'the body must be a JSON object');
    return json(await clients.register(metadata as Record<string, unknown>), 201);
  }

  async function revoke(request: Request): Promise<Response> {
    if (request.method !== 'POST') return new Response(null, { status: 405, headers: { allow: 'POST' } });
    const form = await formOf(request);
    const client = await authenticateClient(request, form);
    await tokens.revoke(form.get('token') ?? '', client.clientId);
    return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } });
  }

  /** Endpoints a browser-based client calls from script: open to any origin, no cookies involved. */
  const api =
    (handler: WebHandler): WebHandler =>
    async (request) => {
      const cors = { 'access-control-allow-origin': '*' };
      if (request.method === 'OPTIONS')
        return new Response(null, {
          status: 204,
          headers: {
            ...cors,
            'access-control-allow-methods': 'GET, POST',
            'access-control-allow-headers': 'authorization, content-type',
            'access-control-max-age': '86400',
          },
        });
      const response = await handler(request).catch(oauthError);
      response.headers.set('access-control-allow-origin', '*');
      return response;
    };

  const serveMetadata: WebHandler = async (request) =>
    request.method === 'GET' || request.method === 'HEAD'
      ? new Response(request.method === 'GET' ? metadataBody : null, {
          headers: { 'content-type': 'application/json', 'cache-control': 'max-age=3600' },
        })
      : new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });

  const routes: Record<string, WebHandler> = {
    [`/.well-known/oauth-authorization-server${base}`]: api(serveMetadata),
    [path('authorize')]: (request) => authorize(request).catch(oauthError),
    [path('callback')]: (request) => callback(request).catch(oauthError),
    [path('token')]: api(token),
    [path('revoke')]: api(revoke),
    ...(clients.dynamicRegistration ? { [path('register')]: api(register) } : {}),
  };

  return {
    issuer,
    metadata,
    routes,
    async fetch(request) {
      const handler = routes[new URL(request.url).pathname];
      return handler ? handler(request) : new Response('Not Found', { status: 404 });
    },
    accessTokens: (resource) => tokens.provider(resource, options.roles),
  };
}

/** Upstream claims travel with every token: keep them small. */
function boundedClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  let size = 0;
  for (const [name, value] of Object.entries(claims)) {
    const cost = name.length + JSON.stringify(value ?? null).length;
    if (size + cost > 2048) continue;
    size += cost;
    kept[name] = value;
  }
  return kept;
}

import { readJsonUpTo } from '../../transports/streamable-http/bounded-read.js';
import type { AuthChallenge, HttpAuthorization } from '../../transports/streamable-http/client.js';
import { actionableChallenge } from './challenge.js';
import { findAuthorizationServer, type ServerMetadata } from './discovery.js';
import { DpopKey } from './dpop.js';
import { pkceChallenge, randomToken } from './pkce.js';
import { type ClientAuthentication, requestToken } from './token-request.js';

/** Tokens held for one resource. */
export interface StoredTokens {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt?: number;
  scope?: string;
  /** `DPoP`: the token is bound to this client's DPoP key and presented with a proof. */
  tokenType?: string;
}

/** Where tokens are kept between runs; in memory by default. */
export interface TokenStore {
  get(resource: string): Promise<StoredTokens | undefined>;
  set(resource: string, tokens: StoredTokens | undefined): Promise<void>;
}

export interface OAuthClientOptions {
  /** Where the authorization server sends the browser back (registered with it). */
  redirectUri: string;
  /**
   * Sends the user to `authorizationUrl` (open a browser, print it...) and resolves with the URL
   * the authorization server redirected back to, which carries `code` and `state`.
   */
  redirect: (authorizationUrl: URL) => Promise<string | URL>;
  /** A pre-registered client; without it, a Client ID Metadata Document or dynamic registration. */
  clientId?: string;
  clientSecret?: string;
  /** An https URL serving this client's metadata, used as its client_id where the server supports it. */
  clientMetadataUrl?: string;
  clientName?: string;
  /** Dynamic registration's `application_type`. Default: from the redirect URI (loopback: native). */
  applicationType?: 'web' | 'native';
  /** Scopes to ask for when neither the server's challenge nor its metadata name any. */
  scope?: string;
  /** Ask for a refresh token (`offline_access`) when the authorization server offers it. Default true. */
  offlineAccess?: boolean;
  tokenStore?: TokenStore;
  /**
   * Sender-constrained tokens (DPoP, RFC 9449) when the authorization server offers them and the
   * MCP server takes them (a `DPoP` challenge, or DPoP in its resource metadata): a stolen token is
   * useless without this client's key. Default true.
   */
  dpop?: boolean;
  fetch?: typeof fetch;
}

interface Registration {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
}

class MemoryTokenStore implements TokenStore {
  private readonly tokens = new Map<string, StoredTokens>();
  async get(resource: string) {
    return this.tokens.get(resource);
  }
  async set(resource: string, tokens: StoredTokens | undefined) {
    if (tokens) this.tokens.set(resource, tokens);
    else this.tokens.delete(resource);
  }
}

/** Refresh a token this long before it expires, so that a request never carries a dying one. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * OAuth 2.1 for MCP clients (2025-11-25 and 2026-07-28 "Authorization"): on a 401 it finds the
 * server's protected resource metadata and authorization server, registers (pre-registered,
 * Client ID Metadata Document, or dynamic registration), runs authorization code + PKCE S256 with
 * the resource indicator, checks `state` and `iss` (RFC 9207), and keeps, refreshes and steps up
 * the token. Give it to the transport: `new StreamableHttpClientTransport(url, { authorization })`.
 */
export class OAuthClient implements HttpAuthorization {
  private readonly store: TokenStore;
  private readonly doFetch: typeof fetch;
  private registration?: Registration;
  private server?: ServerMetadata;
  private resource?: string;
  private grantedScope?: string;
  private inFlight?: Promise<boolean>;
  private dpopKey?: DpopKey;
  /** The resource server takes DPoP: its challenge uses the scheme, or its metadata says so. */
  private resourceTakesDpop = false;

  constructor(private readonly options: OAuthClientOptions) {
    this.store = options.tokenStore ?? new MemoryTokenStore();
    this.doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async headers(request?: { method: string; url: string }): Promise<Record<string, string>> {
    if (!this.resource) return {};
    let tokens = await this.store.get(this.resource);
    if (tokens?.expiresAt !== undefined && tokens.expiresAt - EXPIRY_MARGIN_MS <= Date.now()) {
      tokens = tokens.refreshToken ? await this.refresh(tokens).catch(() => undefined) : undefined;
      if (!tokens) await this.store.set(this.resource, undefined);
    }
    if (!tokens) return {};
    if (tokens.tokenType?.toLowerCase() !== 'dpop') return { authorization: `Bearer ${tokens.accessToken}` };
    // A DPoP-bound token goes with a fresh proof for this very request (RFC 9449 section 7.1).
    if (!this.dpopKey || !request) return {};
    return {
      authorization: `DPoP ${tokens.accessToken}`,
      dpop: await this.dpopKey.proof(request.method, request.url, tokens.accessToken),
    };
  }

  /**
   * Requests refused at the same time share one sign-in (or refresh): the user is sent to the
   * authorization server once, and every refused request is sent again with the new token.
   */
  unauthorized(challenge: AuthChallenge): Promise<boolean> {
    this.inFlight ??= this.recover(challenge).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async recover(challenge: AuthChallenge): Promise<boolean> {
    const parsed = actionableChallenge(challenge);
    if (!parsed) return false;
    // The server wants a nonce in the proof (RFC 9449 section 9): the same token, a new proof.
    if (parsed.error === 'use_dpop_nonce')
      return this.dpopKey?.rememberNonce(challenge.resourceUrl, challenge.dpopNonce) ?? false;
    this.resource ??= challenge.resourceUrl;
    if (/(?:^|,\s*)DPoP\b/i.test(challenge.wwwAuthenticate ?? '')) this.resourceTakesDpop = true;
    const held = await this.store.get(this.resource);
    if (challenge.status === 401 && held?.refreshToken && parsed.error !== 'insufficient_scope') {
      if (await this.refresh(held).catch(() => undefined)) return true;
    }
    const scope = challenge.status === 403 ? union(this.grantedScope, parsed.scope) : parsed.scope;
    await this.authorize(challenge.resourceUrl, parsed.resourceMetadata, scope);
    return true;
  }

  /** Discovery, registration, the user's consent, and the code exchanged for tokens. */
  private async authorize(
    resourceUrl: string,
    metadataUrl: string | undefined,
    challengeScope: string | undefined,
  ) {
    const { resourceMetadata, server, resource } = await findAuthorizationServer(
      this.doFetch,
      resourceUrl,
      metadataUrl,
    );
    if (this.server?.issuer !== server.issuer) this.registration = undefined; // the server moved
    if (
      resourceMetadata?.dpop_bound_access_tokens_required ||
      resourceMetadata?.dpop_signing_alg_values_supported
    )
      this.resourceTakesDpop = true;
    this.server = server;
    if (server.code_challenge_methods_supported && !server.code_challenge_methods_supported.includes('S256'))
      throw new Error(`The authorization server ${server.issuer} does not support PKCE S256`);
    const registration = await this.register(server);
    let scope = challengeScope ?? resourceMetadata?.scopes_supported?.join(' ') ?? this.options.scope;
    if (this.options.offlineAccess !== false && server.scopes_supported?.includes('offline_access'))
      scope = union(scope, 'offline_access');
    const verifier = randomToken();
    const state = randomToken();
    const url = new URL(server.authorization_endpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', registration.clientId);
    url.searchParams.set('redirect_uri', this.options.redirectUri);
    url.searchParams.set('code_challenge', await pkceChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', state);
    url.searchParams.set('resource', resource);
    if (scope) url.searchParams.set('scope', scope);
    const back = new URL(await this.options.redirect(url));
    const params = back.searchParams;
    if (params.get('state') !== state) throw new Error('The authorization response has the wrong state');
    checkIssuer(server, params.get('iss'));
    const error = params.get('error');
    if (error)
      throw new Error(
        `The authorization server refused: ${error} ${params.get('error_description') ?? ''}`.trim(),
      );
    const code = params.get('code');
    if (!code) throw new Error('The authorization response has no code');
    const tokens = await this.token(server, registration, resource, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.options.redirectUri,
      code_verifier: verifier,
    });
    this.grantedScope = tokens.scope ?? scope;
  }

  private async register(server: ServerMetadata): Promise<Registration> {
    if (this.registration) return this.registration;
    const supported = server.token_endpoint_auth_methods_supported;
    const { clientId, clientSecret } = this.options;
    if (clientId) {
      const method = !clientSecret
        ? 'none'
        : supported && !supported.includes('client_secret_basic') && supported.includes('client_secret_post')
          ? 'client_secret_post'
          : 'client_secret_basic';
      this.registration = {
        issuer: server.issuer,
        clientId,
        ...(clientSecret ? { clientSecret } : {}),
        method,
      };
      return this.registration;
    }
    if (server.client_id_metadata_document_supported && this.options.clientMetadataUrl) {
      this.registration = { issuer: server.issuer, clientId: this.options.clientMetadataUrl, method: 'none' };
      return this.registration;
    }
    if (!server.registration_endpoint)
      throw new Error(
        `The authorization server ${server.issuer} offers no registration: give OAuthClient a clientId (pre-registered) or a clientMetadataUrl`,
      );
    const wanted =
      supported?.includes('none') || !supported ? 'none' : (supported[0] as Registration['method']);
    const response = await this.doFetch(server.registration_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        client_name: this.options.clientName ?? 'mcpkit client',
        redirect_uris: [this.options.redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: wanted,
        // SEP-837: a loopback or custom-scheme redirect is a native app; an https one a web app.
        application_type: this.options.applicationType ?? applicationTypeOf(this.options.redirectUri),
      }),
    });
    if (!response.ok) throw new Error(`Client registration failed: HTTP ${response.status}`);
    const registered = (await readJsonUpTo(response)) as {
      client_id: string;
      client_secret?: string;
      token_endpoint_auth_method?: Registration['method'];
    };
    const method =
      registered.token_endpoint_auth_method ?? (registered.client_secret ? 'client_secret_basic' : 'none');
    this.registration = {
      issuer: server.issuer,
      clientId: registered.client_id,
      ...(registered.client_secret ? { clientSecret: registered.client_secret } : {}),
      method,
    };
    return this.registration;
  }

  private async refresh(tokens: StoredTokens): Promise<StoredTokens | undefined> {
    if (!tokens.refreshToken || !this.server || !this.registration || !this.resource) return undefined;
    return this.token(this.server, this.registration, this.resource, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refreshToken,
    });
  }

  /** A token request with the client's authentication; the answer is stored for the resource. */
  private async token(
    server: ServerMetadata,
    registration: Registration,
    resource: string,
    grant: Record<string, string>,
  ): Promise<StoredTokens> {
    const client: ClientAuthentication =
      registration.method !== 'none' && registration.clientSecret
        ? {
            method: registration.method,
            clientId: registration.clientId,
            clientSecret: registration.clientSecret,
          }
        : { method: 'none', clientId: registration.clientId };
    // Bound tokens only where both sides take them: a Bearer-only server would refuse them.
    if (
      this.options.dpop !== false &&
      this.resourceTakesDpop &&
      server.dpop_signing_alg_values_supported?.includes('ES256')
    )
      this.dpopKey ??= new DpopKey();
    const { idToken: _, ...answer } = await requestToken(
      this.doFetch,
      server.token_endpoint,
      server.issuer,
      { ...grant, resource },
      client,
      this.dpopKey,
    );
    const previous = await this.store.get(resource);
    // Rotation: a new refresh token replaces the old; none given keeps the old one.
    const refreshToken = answer.refreshToken ?? previous?.refreshToken;
    const tokens: StoredTokens = { ...answer, ...(refreshToken ? { refreshToken } : {}) };
    this.resource = resource;
    await this.store.set(resource, tokens);
    return tokens;
  }
}

function applicationTypeOf(redirectUri: string): 'web' | 'native' {
  const url = new URL(redirectUri);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return url.protocol === 'https:' && !loopback ? 'web' : 'native';
}

/** RFC 9207: an advertised `iss` must come back and match; any `iss` that comes back must match. */
function checkIssuer(server: ServerMetadata, iss: string | null): void {
  if (iss === null) {
    if (server.authorization_response_iss_parameter_supported)
      throw new Error('The authorization response lacks the iss parameter its server advertises');
    return;
  }
  // Compared as strings, with no URL normalization (RFC 9207 section 2.4).
  if (iss !== server.issuer)
    throw new Error(`The authorization response comes from issuer ${iss}, not ${server.issuer}`);
}

function union(a: string | undefined, b: string | undefined): string | undefined {
  const scopes = new Set([...(a ?? '').split(' '), ...(b ?? '').split(' ')].filter(Boolean));
  return scopes.size > 0 ? [...scopes].join(' ') : undefined;
}

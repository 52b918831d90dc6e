import { fromBase64url } from '../../engine/base64url.js';
import { readJsonUpTo } from '../../transports/streamable-http/bounded-read.js';
import { requestToken } from '../client/token-request.js';

/** Who signed in at the upstream identity provider. */
export interface UpstreamIdentity {
  /** Stable user id at the upstream (OpenID `sub`). */
  subject: string;
  /** What the upstream says about the user (email, name, groups...), kept with the tokens. */
  claims?: Record<string, unknown>;
}

/**
 * The identity provider the authorization server sends users to for sign-in: an OpenID provider
 * (`oidcUpstream`), or any OAuth provider through your own implementation. The server makes the
 * PKCE pair and nonce; the upstream only builds the URL and reads the answer.
 */
export interface IdentityUpstream {
  /** The URL that starts the user's sign-in; it must bring `state` back to `callbackUrl`. */
  signInUrl(request: {
    callbackUrl: string;
    state: string;
    codeChallenge: string;
    nonce: string;
  }): Promise<URL>;
  /** The user came back to `callbackUrl` with `params`: who are they? Throws when sign-in failed. */
  complete(response: {
    callbackUrl: string;
    params: URLSearchParams;
    codeVerifier: string;
    nonce: string;
  }): Promise<UpstreamIdentity>;
}

export interface OidcUpstreamOptions {
  /** The OpenID provider's issuer; its configuration is read from `/.well-known/openid-configuration`. */
  issuer: string;
  /** This server's client at the provider (registered there with the callback URL). */
  clientId: string;
  clientSecret?: string;
  /** Default `openid profile email`. */
  scope?: string;
  fetch?: typeof fetch;
}

interface OidcConfiguration {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
}

/** Claims that describe the token rather than the user; not copied into the principal. */
const TOKEN_CLAIMS = new Set([
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'nonce',
  'at_hash',
  'c_hash',
  'azp',
  'auth_time',
  'sid',
  'jti',
]);

/**
 * An OpenID Connect provider as the upstream: authorization code + PKCE S256 and a nonce, the
 * code redeemed at its token endpoint, the user read from the ID token. That token comes straight
 * from the provider's token endpoint over the connection this server opened, which OpenID Connect
 * Core 3.1.3.7 accepts in place of a signature check; issuer, audience, expiry and nonce are checked.
 */
export function oidcUpstream(options: OidcUpstreamOptions): IdentityUpstream {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let configuration: Promise<OidcConfiguration> | undefined;
  const configured = () => {
    configuration ??= discover(doFetch, options.issuer).catch((error) => {
      configuration = undefined; // try again on the next sign-in
      throw error;
    });
    return configuration;
  };

  return {
    async signInUrl({ callbackUrl, state, codeChallenge, nonce }) {
      const provider = await configured();
      const url = new URL(provider.authorization_endpoint);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', options.clientId);
      url.searchParams.set('redirect_uri', callbackUrl);
      url.searchParams.set('scope', options.scope ?? 'openid profile email');
      url.searchParams.set('state', state);
      url.searchParams.set('nonce', nonce);
      url.searchParams.set('code_challenge', codeChallenge);
      url.searchParams.set('code_challenge_method', 'S256');
      return url;
    },

    async complete({ callbackUrl, params, codeVerifier, nonce }) {
      const provider = await configured();
      const error = params.get('error');
      if (error) throw new Error(`sign-in at ${provider.issuer} failed: ${error}`);
      const iss = params.get('iss');
      if (iss !== null && iss !== provider.issuer) throw new Error('the sign-in answer names another issuer');
      const code = params.get('code');
      if (!code) throw new Error('the sign-in answer has no code');
      const basic =
        options.clientSecret &&
        (provider.token_endpoint_auth_methods_supported?.includes('client_secret_basic') ?? true);
      const tokens = await requestToken(
        doFetch,
        provider.token_endpoint,
        provider.issuer,
        { grant_type: 'authorization_code', code, redirect_uri: callbackUrl, code_verifier: codeVerifier },
        options.clientSecret
          ? {
              method: basic ? 'client_secret_basic' : 'client_secret_post',
              clientId: options.clientId,
              clientSecret: options.clientSecret,
            }
          : { method: 'none', clientId: options.clientId },
      );
      if (!tokens.idToken) throw new Error(`${provider.issuer} returned no ID token (is "openid" in scope?)`);
      const claims = idTokenClaims(tokens.idToken);
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (claims.iss !== provider.issuer) throw new Error('the ID token names another issuer');
      if (!audiences.includes(options.clientId)) throw new Error('the ID token is not for this client');
      if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now() - 60_000)
        throw new Error('the ID token has expired');
      if (claims.nonce !== nonce) throw new Error('the ID token has the wrong nonce');
      if (typeof claims.sub !== 'string' || !claims.sub) throw new Error('the ID token has no subject');
      const kept: Record<string, unknown> = {};
      // Providers put most claims in userinfo, not the ID token (OpenID Connect Core 5.4).
      const more = provider.userinfo_endpoint
        ? await userinfo(doFetch, provider.userinfo_endpoint, tokens.accessToken, claims.sub)
        : {};
      for (const [name, value] of Object.entries({ ...claims, ...more }))
        if (!TOKEN_CLAIMS.has(name) && name !== 'sub') kept[name] = value;
      return { subject: claims.sub, claims: kept };
    },
  };
}

async function discover(doFetch: typeof fetch, issuer: string): Promise<OidcConfiguration> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await doFetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  const configuration = (await readJsonUpTo(response)) as OidcConfiguration;
  if (configuration.issuer !== issuer)
    throw new Error(`${url} names another issuer (${configuration.issuer})`);
  return configuration;
}

async function userinfo(
  doFetch: typeof fetch,
  endpoint: string,
  accessToken: string,
  subject: string,
): Promise<Record<string, unknown>> {
  const response = await doFetch(endpoint, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`the userinfo endpoint answered HTTP ${response.status}`);
  const claims = (await readJsonUpTo(response)) as Record<string, unknown>;
  // OpenID Connect Core 5.3.2: a userinfo answer about someone else must not be used.
  if (claims.sub !== subject) throw new Error('the userinfo answer is about another user');
  return claims;
}

function idTokenClaims(idToken: string): Record<string, unknown> & { sub?: unknown; aud?: unknown } {
  const payload = idToken.split('.')[1];
  if (!payload) throw new Error('the ID token is not a JWT');
  return JSON.parse(new TextDecoder().decode(fromBase64url(payload))) as Record<string, unknown>;
}

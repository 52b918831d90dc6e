import type { Principal } from '../engine/principal.js';
import { readJsonUpTo } from '../transports/streamable-http/bounded-read.js';
import { AuthFailure, type AuthProvider } from './provider.js';
import { TokenCache, type TokenCacheOptions } from './token-cache.js';

export interface IntrospectionOptions {
  /** The authorization server's RFC 7662 introspection endpoint. */
  endpoint: string;
  /** This resource server's credentials at the authorization server (`client_secret_basic`). */
  clientId: string;
  clientSecret: string;
  /** When the answer names an audience, it must contain this resource. */
  audience?: string;
  /** When given, the answer's `iss` must equal it. */
  issuer?: string;
  /** Answers are cached (never past the token's `exp`). Default on. */
  cache?: TokenCacheOptions | false;
  /** Default 5 s; a slower authorization server refuses the request (503), never lets it through. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface IntrospectionAnswer {
  active?: boolean;
  scope?: string;
  client_id?: string;
  sub?: string;
  exp?: number;
  aud?: string | string[];
  iss?: string;
  [claim: string]: unknown;
}

/**
 * Opaque access tokens, checked by asking the authorization server (RFC 7662). Every credential is
 * taken as a token: put providers that recognize their own kind (API keys) before it in `anyOf`.
 */
export function introspectionProvider(options: IntrospectionOptions): AuthProvider {
  const cache = options.cache === false ? undefined : new TokenCache(options.cache);
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const basic = `Basic ${btoa(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`)}`;

  async function ask(token: string): Promise<IntrospectionAnswer> {
    let response: Response;
    try {
      response = await doFetch(options.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: basic,
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
    } catch {
      throw new AuthFailure('unavailable', 'the introspection endpoint could not be reached');
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new AuthFailure('unavailable', `the introspection endpoint answered HTTP ${response.status}`);
    }
    try {
      return (await readJsonUpTo(response)) as IntrospectionAnswer;
    } catch {
      throw new AuthFailure('unavailable', 'the introspection endpoint answered something that is not JSON');
    }
  }

  function principalOf(answer: IntrospectionAnswer): Principal {
    if (answer.active !== true) throw new AuthFailure('invalid_token', 'the token is not active');
    if (typeof answer.exp === 'number' && answer.exp * 1000 <= Date.now())
      throw new AuthFailure('invalid_token', 'the token expired');
    if (options.issuer && answer.iss !== options.issuer)
      throw new AuthFailure('invalid_token', "the token's issuer is not accepted");
    const audiences = typeof answer.aud === 'string' ? [answer.aud] : answer.aud;
    if (options.audience && audiences && !audiences.includes(options.audience))
      throw new AuthFailure('invalid_token', 'the token was issued for another resource');
    return {
      subject: String(answer.sub ?? answer.client_id ?? 'unknown'),
      scopes: (answer.scope ?? '').split(' ').filter(Boolean),
      roles: Array.isArray(answer.roles)
        ? answer.roles.filter((r): r is string => typeof r === 'string')
        : [],
      claims: answer,
      method: 'introspection',
      ...(answer.client_id ? { clientId: answer.client_id } : {}),
      ...(typeof answer.exp === 'number' ? { expiresAt: answer.exp } : {}),
    };
  }

  return {
    peek(token) {
      const known = cache?.get(token);
      return known && 'principal' in known ? known.principal : undefined;
    },
    async authenticate(token) {
      const check = async (t: string) => principalOf(await ask(t));
      return cache ? cache.verdict(token, check) : check(token);
    },
  };
}

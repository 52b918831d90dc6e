import type { Principal } from '../engine/principal.js';
import type {
  AuthVerdict,
  HeaderSource,
  HttpAnswer,
  RequestAuthenticator,
} from '../transports/streamable-http/http-core.js';
import { AuthFailure, type AuthProvider } from './provider.js';
import {
  metadataPathOf,
  type ProtectedResourceMetadata,
  protectedResourceMetadata,
} from './resource-metadata.js';

export interface BearerAuthOptions {
  provider: AuthProvider;
  /**
   * This server's resource identifier (RFC 8707): the public URL of its MCP endpoint, such as
   * `https://mcp.example.com/mcp`. Tokens must be issued for it; the metadata names it.
   */
  resource: string;
  /** Authorization servers that issue tokens for this resource (RFC 9728 metadata). */
  authorizationServers?: string[];
  /** Scopes a client should request: listed in the metadata and in every 401 challenge. */
  scopes?: string[];
  /** A human-readable name for the metadata. */
  resourceName?: string;
  /** A header that may carry an API key instead of `Authorization: Bearer`. Default `x-api-key`; false: none. */
  apiKeyHeader?: string | false;
}

/** Longest credential read; longer ones are refused without reaching a provider. */
const MAX_CREDENTIAL = 8192;

export interface BearerAuth extends RequestAuthenticator {
  readonly metadata: ProtectedResourceMetadata;
  /** Where the metadata is served (absolute URL), as the 401 challenge names it. */
  readonly metadataUrl: string;
  /**
   * Web handlers for the metadata paths (the path-suffixed form RFC 9728 defines and the bare
   * one), to mount beside the MCP endpoint: `serveHttp(handler, { routes: auth.routes })`.
   */
  readonly routes: Record<string, (request: Request) => Promise<Response>>;
}

const quote = (value: string) => `"${value.replace(/["\\]/g, '')}"`;

/**
 * Bearer-token authentication for the Streamable HTTP handler (MCP 2025-11-25 and 2026-07-28
 * "Authorization"): every request presents a token (or an API key), which `provider` turns into a
 * principal; anything else gets 401 with a `WWW-Authenticate` challenge naming this resource's
 * protected resource metadata (RFC 9728), which `routes` serves.
 */
export function bearerAuth(options: BearerAuthOptions): BearerAuth {
  const metadata = protectedResourceMetadata(options);
  const resourceUrl = new URL(options.resource);
  const metadataUrl = new URL(metadataPathOf(resourceUrl), resourceUrl).href;
  const apiKeyHeader = options.apiKeyHeader === false ? undefined : (options.apiKeyHeader ?? 'x-api-key');
  const scope = options.scopes?.length ? `, scope=${quote(options.scopes.join(' '))}` : '';

  function challenge(error?: AuthFailure): HttpAnswer {
    if (error?.reason === 'unavailable') {
      return {
        status: 503,
        headers: { 'content-type': 'application/json', 'retry-after': '5' },
        body: JSON.stringify({ error: 'temporarily_unavailable', error_description: error.message }),
      };
    }
    const detail = error ? `, error="invalid_token", error_description=${quote(error.message)}` : '';
    return {
      status: 401,
      headers: {
        'content-type': 'application/json',
        'www-authenticate': `Bearer resource_metadata=${quote(metadataUrl)}${scope}${detail}`,
      },
      body: JSON.stringify(
        error
          ? { error: 'invalid_token', error_description: error.message }
          : { error: 'unauthorized', error_description: 'This MCP server needs a bearer token' },
      ),
    };
  }

  function credentialOf(headers: HeaderSource): string | undefined | AuthFailure {
    const authorization = headers.get('authorization');
    if (authorization !== null) {
      return (
        bearerToken(authorization) ??
        new AuthFailure('invalid_token', 'the Authorization header is not "Bearer <token>"')
      );
    }
    return (apiKeyHeader && headers.get(apiKeyHeader)?.trim()) || undefined;
  }

  const metadataBody = JSON.stringify(metadata);
  const serveMetadata = async (request: Request) =>
    request.method === 'GET' || request.method === 'HEAD'
      ? new Response(request.method === 'GET' ? metadataBody : null, {
          headers: {
            'content-type': 'application/json',
            'cache-control': 'max-age=3600',
            'access-control-allow-origin': '*',
          },
        })
      : new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });

  return {
    metadata,
    metadataUrl,
    insufficientScope: (needed) => ({
      'www-authenticate': `Bearer error="insufficient_scope", scope=${quote(needed.join(' '))}, resource_metadata=${quote(metadataUrl)}`,
    }),
    routes: {
      [metadataPathOf(resourceUrl)]: serveMetadata,
      '/.well-known/oauth-protected-resource': serveMetadata,
    },
    // Not async: a refusal or a cached token is answered at once, without a promise.
    authenticate(request) {
      const credential = credentialOf(request.headers);
      if (credential === undefined) return { refusal: challenge() };
      if (credential instanceof AuthFailure) return { refusal: challenge(credential) };
      if (credential.length > MAX_CREDENTIAL)
        return { refusal: challenge(new AuthFailure('invalid_token', 'the token is too long')) };
      const known = options.provider.peek?.(credential);
      if (known) return { principal: known };
      return verify(credential);
    },
  };

  async function verify(credential: string): Promise<AuthVerdict> {
    let principal: Principal | undefined;
    try {
      principal = await options.provider.authenticate(credential);
    } catch (error) {
      const failure =
        error instanceof AuthFailure
          ? error
          : new AuthFailure('unavailable', 'the token could not be checked');
      return { refusal: challenge(failure) };
    }
    if (!principal)
      return { refusal: challenge(new AuthFailure('invalid_token', 'the token is not recognized')) };
    return { principal };
  }
}

/**
 * The token of an `Authorization: Bearer <token>` value (scheme in any case, then spaces), or
 * undefined when it is not one. No regular expression over the token: it is read on every request.
 */
function bearerToken(value: string): string | undefined {
  const text = value.trim();
  if (text.length < 8 || text.charCodeAt(6) !== 32 || text.slice(0, 6).toLowerCase() !== 'bearer')
    return undefined;
  let start = 7;
  while (text.charCodeAt(start) === 32) start++;
  const token = text.slice(start);
  // The token starts with a visible character and is one line.
  if (token.length === 0 || /\s/.test(token[0]!) || token.includes('\n') || token.includes('\r'))
    return undefined;
  return token;
}

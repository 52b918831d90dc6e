import { readJsonUpTo } from '../../transports/streamable-http/bounded-read.js';
import { withoutTrailingSlashes } from '../trailing-slashes.js';
/** RFC 9728 protected resource metadata, as far as a client reads it. */
export interface ResourceMetadata {
  resource: string;
  authorization_servers?: string[];
  scopes_supported?: string[];
  dpop_signing_alg_values_supported?: string[];
  dpop_bound_access_tokens_required?: boolean;
}

/** RFC 8414 authorization server metadata (or OpenID configuration), as far as a client reads it. */
export interface ServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  registration_endpoint?: string;
  scopes_supported?: string[];
  code_challenge_methods_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  client_id_metadata_document_supported?: boolean;
  authorization_response_iss_parameter_supported?: boolean;
  /** RFC 9449: the authorization server issues DPoP-bound tokens, proofs signed with these algorithms. */
  dpop_signing_alg_values_supported?: string[];
}

type Fetch = typeof fetch;

async function getJson<T>(doFetch: Fetch, url: string): Promise<T | undefined> {
  let response: Response;
  try {
    response = await doFetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    return undefined;
  }
  if (!response.ok) {
    await response.body?.cancel();
    return undefined;
  }
  try {
    return (await readJsonUpTo(response)) as T;
  } catch {
    return undefined;
  }
}

/**
 * Whether metadata published for `resource` covers the server at `url`: the same origin, and a
 * path that is the server's path or a parent of it (a resource may name its whole origin).
 */
export function resourceCovers(resource: string, url: string): boolean {
  try {
    const r = new URL(resource);
    const u = new URL(url);
    if (r.origin !== u.origin) return false;
    const parent = withoutTrailingSlashes(r.pathname);
    const path = withoutTrailingSlashes(u.pathname);
    return parent === '' || path === parent || path.startsWith(`${parent}/`);
  } catch {
    return false;
  }
}

/**
 * The resource's metadata: where the challenge says, else the path-suffixed well-known URL, else
 * the root one (MCP 2025-11-25 "Protected Resource Metadata Discovery"). Undefined: the server
 * publishes none (a 2025-03-26 server, whose own origin is its authorization server).
 */
export async function discoverResource(
  doFetch: Fetch,
  resourceUrl: string,
  fromChallenge: string | undefined,
): Promise<ResourceMetadata | undefined> {
  const url = new URL(resourceUrl);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const candidates = [
    ...(fromChallenge ? [fromChallenge] : []),
    `${url.origin}/.well-known/oauth-protected-resource${path}`,
    `${url.origin}/.well-known/oauth-protected-resource`,
  ];
  for (const candidate of candidates) {
    const metadata = await getJson<ResourceMetadata>(doFetch, candidate);
    if (metadata && typeof metadata.resource === 'string') return metadata;
  }
  return undefined;
}

/**
 * The authorization server's metadata, from the well-known URLs in the order MCP gives (RFC 8414
 * first, then OpenID Connect, path-inserted then path-appended for an issuer with a path). The
 * document must name the issuer it was fetched for (RFC 8414 section 3.3).
 */
export async function discoverServer(
  doFetch: Fetch,
  issuer: string,
  /** False for a 2025-03-26 server's own origin, which is where it was found, not an issuer it named. */
  requireIssuer = true,
): Promise<ServerMetadata | undefined> {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const candidates = path
    ? [
        `${url.origin}/.well-known/oauth-authorization-server${path}`,
        `${url.origin}/.well-known/openid-configuration${path}`,
        `${url.origin}${path}/.well-known/openid-configuration`,
      ]
    : [
        `${url.origin}/.well-known/oauth-authorization-server`,
        `${url.origin}/.well-known/openid-configuration`,
      ];
  for (const candidate of candidates) {
    const metadata = await getJson<ServerMetadata>(doFetch, candidate);
    if (!metadata) continue;
    // Identical, not merely equivalent (RFC 8414 section 3.3).
    if (requireIssuer && metadata.issuer !== issuer)
      throw new Error(
        `The authorization server metadata at ${candidate} names issuer ${String(metadata.issuer)}, not ${issuer}`,
      );
    return metadata;
  }
  return undefined;
}

/** Where a resource's tokens come from: its metadata (if any), its authorization server, its identifier. */
export interface FoundServer {
  resourceMetadata: ResourceMetadata | undefined;
  server: ServerMetadata;
  /** The resource indicator to ask tokens for (RFC 8707). */
  resource: string;
}

/**
 * Resource metadata, then the authorization server it names (or, for a 2025-03-26 server without
 * metadata, the server's own origin and its default endpoints).
 */
export async function findAuthorizationServer(
  doFetch: Fetch,
  resourceUrl: string,
  metadataUrl: string | undefined,
): Promise<FoundServer> {
  const resourceMetadata = await discoverResource(doFetch, resourceUrl, metadataUrl);
  if (resourceMetadata && !resourceCovers(resourceMetadata.resource, resourceUrl))
    throw new Error(
      `The protected resource metadata is for ${resourceMetadata.resource}, not ${resourceUrl}`,
    );
  const issuer = resourceMetadata?.authorization_servers?.[0] ?? new URL(resourceUrl).origin;
  const server =
    (await discoverServer(doFetch, issuer, resourceMetadata !== undefined)) ?? legacyEndpoints(issuer);
  return { resourceMetadata, server, resource: resourceMetadata?.resource ?? resourceUrl };
}

/** A 2025-03-26 server without metadata: the default endpoints at its origin. */
function legacyEndpoints(issuer: string): ServerMetadata {
  const origin = new URL(issuer).origin;
  return {
    issuer: origin,
    authorization_endpoint: `${origin}/authorize`,
    token_endpoint: `${origin}/token`,
    registration_endpoint: `${origin}/register`,
  };
}

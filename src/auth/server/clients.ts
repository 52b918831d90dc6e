import { constantTimeEqual } from '../constant-time.js';
import { boundedText, OAuthError } from './http.js';
import type { Sealer } from './sealed.js';

export type ClientAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

/** A client set up ahead of time (your own app, or a partner's). */
export interface PreRegisteredClient {
  clientId: string;
  /** Absent: a public client (PKCE only). */
  clientSecret?: string;
  redirectUris: string[];
  name?: string;
  /** Ask the user before signing in through this client. Default false: it is yours. */
  requireConsent?: boolean;
}

/** A client as the endpoints see it, however it was registered. */
export interface KnownClient {
  clientId: string;
  redirectUris: string[];
  authMethod: ClientAuthMethod;
  name?: string;
  /** How it came to be known; dynamic and metadata-document clients need the user's consent. */
  origin: 'pre-registered' | 'dynamic' | 'metadata-document';
  requireConsent: boolean;
  /** Checks a presented secret; absent for public clients. */
  secretMatches?(secret: string): Promise<boolean>;
}

export interface ClientRegistryOptions {
  clients?: PreRegisteredClient[];
  /** Dynamic client registration (RFC 7591) at the registration endpoint. Default true. */
  dynamicRegistration?: boolean;
  /** How long a dynamically registered client stays valid. Default 90 days. */
  registrationTtlMs?: number;
  /** Client ID Metadata Documents: an https client_id is fetched as the client's metadata. Default true. */
  clientMetadataDocuments?: boolean;
  /** Let metadata documents and redirect URIs use http on loopback hosts (development). Default false. */
  allowLoopbackMetadata?: boolean;
  fetch?: typeof fetch;
}

const DYNAMIC_PREFIX = 'mcpdyn.';
const MAX_REDIRECT_URIS = 8;
const MAX_URI = 512;
const MAX_METADATA_DOCUMENT = 8 * 1024;
const METADATA_CACHE = 512;
const METADATA_TTL_MS = 5 * 60_000;
const FAILED_TTL_MS = 60_000;
const MAX_FETCHES = 16;
const DANGEROUS_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'about:', 'blob:']);
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/**
 * A redirect URI a client may register: absolute, no fragment; https, http on a loopback host
 * (RFC 8252 section 7.3), or an app's own scheme (section 7.1), never a scheme that runs code.
 */
export function checkRedirectUri(uri: unknown): string {
  if (typeof uri !== 'string' || uri.length > MAX_URI)
    throw new OAuthError(
      'invalid_redirect_uri',
      `a redirect URI must be a string of at most ${MAX_URI} characters`,
    );
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new OAuthError('invalid_redirect_uri', `${uri} is not an absolute URL`);
  }
  if (url.hash) throw new OAuthError('invalid_redirect_uri', `${uri} has a fragment`);
  if (DANGEROUS_SCHEMES.has(url.protocol))
    throw new OAuthError('invalid_redirect_uri', `${url.protocol} redirect URIs are not allowed`);
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname))
    throw new OAuthError(
      'invalid_redirect_uri',
      `${uri}: http is allowed for loopback hosts only; use https`,
    );
  return uri;
}

/**
 * Whether `presented` is one of `registered`: exactly, except that a loopback redirect may use any
 * port (RFC 8252 section 7.3: native apps get a free port at run time).
 */
export function redirectMatches(registered: readonly string[], presented: string): boolean {
  if (registered.includes(presented)) return true;
  let url: URL;
  try {
    url = new URL(presented);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || !LOOPBACK.has(url.hostname)) return false;
  return registered.some((candidate) => {
    try {
      const r = new URL(candidate);
      return (
        r.protocol === 'http:' &&
        r.hostname === url.hostname &&
        r.pathname === url.pathname &&
        r.search === url.search
      );
    } catch {
      return false;
    }
  });
}

interface DynamicRecord {
  r: string[];
  m: ClientAuthMethod;
  n?: string;
}

/**
 * Every client the authorization server knows. Dynamic registrations are stateless: the client id
 * is the registration itself, sealed with the server's secret, and the client secret is derived
 * from it; a registration flood costs nothing to hold. Metadata documents are fetched (https only,
 * bounded in size and time, no redirects) and cached briefly.
 */
export class ClientRegistry {
  private readonly preRegistered = new Map<string, KnownClient>();
  private readonly documents = new Map<string, { client: KnownClient | undefined; until: number }>();
  private fetching = 0;
  private readonly doFetch: typeof fetch;

  constructor(
    private readonly options: ClientRegistryOptions,
    private readonly sealer: Sealer,
  ) {
    this.doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    for (const client of options.clients ?? []) {
      const redirectUris = client.redirectUris.map(checkRedirectUri);
      const secret = client.clientSecret === undefined ? undefined : digest(client.clientSecret);
      this.preRegistered.set(client.clientId, {
        clientId: client.clientId,
        redirectUris,
        authMethod: secret ? 'client_secret_basic' : 'none',
        ...(client.name ? { name: client.name } : {}),
        origin: 'pre-registered',
        requireConsent: client.requireConsent ?? false,
        ...(secret
          ? {
              secretMatches: async (presented: string) =>
                constantTimeEqual(await digest(presented), await secret),
            }
          : {}),
      });
    }
  }

  get dynamicRegistration(): boolean {
    return this.options.dynamicRegistration !== false;
  }

  get metadataDocuments(): boolean {
    return this.options.clientMetadataDocuments !== false;
  }

  /** The client, or undefined when the id is unknown, forged or expired. */
  async find(clientId: string): Promise<KnownClient | undefined> {
    if (clientId.length > 4096) return undefined;
    const known = this.preRegistered.get(clientId);
    if (known) return known;
    if (clientId.startsWith(DYNAMIC_PREFIX) && this.dynamicRegistration) {
      const record = await this.sealer.open<DynamicRecord>('client', clientId.slice(DYNAMIC_PREFIX.length));
      return record && this.dynamicClient(clientId, record);
    }
    if (this.metadataDocuments && this.isDocumentUrl(clientId)) return this.fetchDocument(clientId);
    return undefined;
  }

  /** RFC 7591 registration: checks the metadata and answers with the new client. */
  async register(metadata: Record<string, unknown>): Promise<Record<string, unknown>> {
    const uris = metadata.redirect_uris;
    if (!Array.isArray(uris) || uris.length === 0 || uris.length > MAX_REDIRECT_URIS)
      throw new OAuthError('invalid_redirect_uri', `redirect_uris must list 1 to ${MAX_REDIRECT_URIS} URIs`);
    const redirectUris = uris.map(checkRedirectUri);
    const method = (metadata.token_endpoint_auth_method ?? 'client_secret_basic') as ClientAuthMethod;
    if (!['none', 'client_secret_basic', 'client_secret_post'].includes(method))
      throw new OAuthError(
        'invalid_client_metadata',
        'token_endpoint_auth_method must be none, client_secret_basic or client_secret_post',
      );
    const grants = (metadata.grant_types ?? ['authorization_code']) as unknown;
    if (!Array.isArray(grants) || grants.some((g) => g !== 'authorization_code' && g !== 'refresh_token'))
      throw new OAuthError(
        'invalid_client_metadata',
        'grant_types may hold authorization_code and refresh_token only',
      );
    const name = typeof metadata.client_name === 'string' ? metadata.client_name.slice(0, 100) : undefined;
    const ttl = this.options.registrationTtlMs ?? 90 * 24 * 3600_000;
    const record: DynamicRecord = { r: redirectUris, m: method, ...(name ? { n: name } : {}) };
    const clientId = DYNAMIC_PREFIX + (await this.sealer.seal('client', record, ttl));
    const now = Math.floor(Date.now() / 1000);
    return {
      client_id: clientId,
      client_id_issued_at: now,
      ...(method === 'none'
        ? {}
        : {
            client_secret: await this.sealer.derive(clientId),
            client_secret_expires_at: now + Math.floor(ttl / 1000),
          }),
      redirect_uris: redirectUris,
      token_endpoint_auth_method: method,
      grant_types: grants.length ? grants : ['authorization_code'],
      response_types: ['code'],
      ...(name ? { client_name: name } : {}),
    };
  }

  private dynamicClient(clientId: string, record: DynamicRecord): KnownClient {
    return {
      clientId,
      redirectUris: record.r,
      authMethod: record.m,
      ...(record.n ? { name: record.n } : {}),
      origin: 'dynamic',
      requireConsent: true,
      ...(record.m === 'none'
        ? {}
        : {
            secretMatches: async (presented: string) =>
              constantTimeEqual(
                encoder.encode(presented),
                encoder.encode(await this.sealer.derive(clientId)),
              ),
          }),
    };
  }

  private isDocumentUrl(clientId: string): boolean {
    try {
      const url = new URL(clientId);
      if (url.hash || url.username || url.password || url.pathname === '/') return false;
      if (url.protocol === 'https:') return true;
      return (
        url.protocol === 'http:' && this.options.allowLoopbackMetadata === true && LOOPBACK.has(url.hostname)
      );
    } catch {
      return false;
    }
  }

  private async fetchDocument(url: string): Promise<KnownClient | undefined> {
    const cached = this.documents.get(url);
    if (cached && cached.until > Date.now()) return cached.client;
    // Anyone can name a URL as a client id: a bounded number of fetches at once, and a failure is
    // remembered for a minute, so the server cannot be made to fetch without end.
    if (this.fetching >= MAX_FETCHES) return undefined;
    this.fetching++;
    let client: KnownClient | undefined;
    try {
      client = await this.readDocument(url);
    } finally {
      this.fetching--;
    }
    if (this.documents.size >= METADATA_CACHE)
      this.documents.delete(this.documents.keys().next().value as string);
    this.documents.set(url, { client, until: Date.now() + (client ? METADATA_TTL_MS : FAILED_TTL_MS) });
    return client;
  }

  private async readDocument(url: string): Promise<KnownClient | undefined> {
    let document: Record<string, unknown>;
    try {
      const response = await this.doFetch(url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return undefined;
      }
      document = JSON.parse(await boundedText(response, MAX_METADATA_DOCUMENT)) as Record<string, unknown>;
    } catch {
      return undefined; // unreachable, too large, too slow, or not JSON
    }
    if (document.client_id !== url || !Array.isArray(document.redirect_uris)) return undefined;
    const method = document.token_endpoint_auth_method ?? 'none';
    if (method !== 'none') return undefined; // a document client has no secret to share with us
    let redirectUris: string[];
    try {
      redirectUris = document.redirect_uris.slice(0, MAX_REDIRECT_URIS).map(checkRedirectUri);
    } catch {
      return undefined;
    }
    return {
      clientId: url,
      redirectUris,
      authMethod: 'none',
      ...(typeof document.client_name === 'string' ? { name: document.client_name.slice(0, 100) } : {}),
      origin: 'metadata-document',
      requireConsent: true,
    };
  }
}

import type { AuthChallenge, HttpAuthorization } from '../../transports/streamable-http/client.js';
import { actionableChallenge } from './challenge.js';
import { findAuthorizationServer, type ServerMetadata } from './discovery.js';
import { jwtSigner } from './jwt-signer.js';
import { type ClientAuthentication, requestToken, type TokenAnswer } from './token-request.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface ClientCredentialsOptions {
  clientId: string;
  /** `client_secret_basic`. */
  clientSecret?: string;
  /** `private_key_jwt` (RFC 7523): a PKCS #8 PEM key that signs the client's assertions. */
  privateKey?: { pem: string; alg?: 'ES256' | 'RS256'; keyId?: string };
  /**
   * Workload identity federation (RFC 7523 JWT-bearer grant, SEP-1933): a JWT the platform issued
   * to this workload, exchanged for an access token instead of a client secret.
   */
  workloadToken?: string | (() => Promise<string>);
  /** Scopes when neither the challenge nor the server's metadata name any. */
  scope?: string;
  fetch?: typeof fetch;
}

/**
 * OAuth for machine-to-machine MCP, no user and no redirect: client credentials (the ext-auth
 * client-credentials extension) or a workload identity token (JWT-bearer grant). On a 401 it discovers the authorization server as `OAuthClient` does and
 * asks for a token for this resource with its secret or a signed assertion.
 */
export class ClientCredentials implements HttpAuthorization {
  private token?: TokenAnswer;
  protected readonly doFetch: typeof fetch;
  private readonly client: ClientAuthentication;

  constructor(private readonly options: ClientCredentialsOptions) {
    this.doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    if (options.privateKey) {
      const sign = jwtSigner(options.privateKey.pem, options.privateKey.alg, options.privateKey.keyId);
      this.client = { method: 'private_key_jwt', clientId: options.clientId, sign };
    } else if (options.workloadToken) {
      this.client = { method: 'none', clientId: options.clientId };
    } else if (options.clientSecret) {
      this.client = {
        method: 'client_secret_basic',
        clientId: options.clientId,
        clientSecret: options.clientSecret,
      };
    } else {
      throw new TypeError('ClientCredentials: give a clientSecret, a privateKey or a workloadToken');
    }
  }

  async headers(): Promise<Record<string, string>> {
    if (!this.token || (this.token.expiresAt !== undefined && this.token.expiresAt - 30_000 <= Date.now()))
      return {};
    return { authorization: `Bearer ${this.token.accessToken}` };
  }

  async unauthorized(challenge: AuthChallenge): Promise<boolean> {
    const parsed = actionableChallenge(challenge);
    if (!parsed) return false;
    const found = await findAuthorizationServer(this.doFetch, challenge.resourceUrl, parsed.resourceMetadata);
    const scope = parsed.scope ?? found.resourceMetadata?.scopes_supported?.join(' ') ?? this.options.scope;
    const grant = await this.grant(found.server, found.resource, scope);
    // A refused grant is reported, never retried with another grant type (SEP-1933).
    this.token = await requestToken(
      this.doFetch,
      found.server.token_endpoint,
      found.server.issuer,
      { ...grant, resource: found.resource, ...(scope ? { scope } : {}) },
      this.client,
    );
    return true;
  }

  /** The grant to ask the authorization server for: client credentials, or the workload's JWT. */
  protected async grant(
    _server: ServerMetadata,
    _resource: string,
    _scope: string | undefined,
  ): Promise<Record<string, string>> {
    const { workloadToken } = this.options;
    return workloadToken
      ? {
          grant_type: JWT_BEARER,
          assertion: typeof workloadToken === 'string' ? workloadToken : await workloadToken(),
        }
      : { grant_type: 'client_credentials' };
  }
}

import { ClientCredentials, JWT_BEARER } from './client-credentials.js';
import type { ServerMetadata } from './discovery.js';
import { requestToken } from './token-request.js';

export interface EnterpriseAuthorizationOptions {
  /** This client at the MCP server's authorization server. */
  clientId: string;
  clientSecret?: string;
  privateKey?: { pem: string; alg?: 'ES256' | 'RS256'; keyId?: string };
  /** The enterprise identity provider's token endpoint, where the user's ID token is exchanged. */
  idpTokenEndpoint: string;
  /** This client at the identity provider. */
  idpClientId: string;
  idpClientSecret?: string;
  /** The user's ID token from the enterprise sign-in (SSO), or a function returning a current one. */
  idToken: string | (() => Promise<string>);
  scope?: string;
  fetch?: typeof fetch;
}

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_JAG = 'urn:ietf:params:oauth:token-type:id-jag';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';

/**
 * Enterprise-managed authorization (the ext-auth extension, SEP-990): the user signed in once at
 * the company's identity provider; that sign-in is exchanged there (RFC 8693 token exchange) for
 * an identity assertion grant (ID-JAG) naming the MCP server's authorization server and the
 * resource, which that authorization server trades for an access token (RFC 7523 JWT-bearer
 * grant). No browser, no consent screen: the identity provider's policy decides.
 */
export class EnterpriseAuthorization extends ClientCredentials {
  constructor(private readonly enterprise: EnterpriseAuthorizationOptions) {
    if (!enterprise.clientSecret && !enterprise.privateKey)
      throw new TypeError('EnterpriseAuthorization: give a clientSecret or a privateKey');
    super(enterprise);
  }

  protected override async grant(
    server: ServerMetadata,
    resource: string,
    scope: string | undefined,
  ): Promise<Record<string, string>> {
    const { idToken, idpClientId, idpClientSecret } = this.enterprise;
    const exchanged = await requestToken(
      this.doFetch,
      this.enterprise.idpTokenEndpoint,
      new URL(this.enterprise.idpTokenEndpoint).origin,
      {
        grant_type: TOKEN_EXCHANGE,
        requested_token_type: ID_JAG,
        audience: server.issuer,
        resource,
        subject_token: typeof idToken === 'string' ? idToken : await idToken(),
        subject_token_type: ID_TOKEN,
        ...(scope ? { scope } : {}),
      },
      idpClientSecret
        ? { method: 'client_secret_basic', clientId: idpClientId, clientSecret: idpClientSecret }
        : { method: 'none', clientId: idpClientId },
    );
    return { grant_type: JWT_BEARER, assertion: exchanged.accessToken };
  }
}

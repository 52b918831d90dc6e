import { base64url } from '../../engine/base64url.js';
import type { Principal } from '../../engine/principal.js';
import { randomToken } from '../client/pkce.js';
import { AuthFailure, type AuthProvider } from '../provider.js';
import { OAuthError } from './http.js';
import type { AuthorizationStore } from './store.js';

/** What a grant is for: kept with its code, its access tokens and its refresh tokens. */
export interface Grant {
  subject: string;
  clientId: string;
  scope: string;
  resource: string;
  claims?: Record<string, unknown>;
  /** Every token from one sign-in shares a family; a replayed refresh token revokes the family. */
  family: string;
}

export interface TokenLifetimes {
  /** Default 1 hour. */
  accessTokenTtlMs?: number;
  /** Default 30 days. */
  refreshTokenTtlMs?: number;
}

export interface IssuedTokens {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope?: string;
}

const encoder = new TextEncoder();

/** Tokens are kept under their SHA-256, so a leaked store holds nothing a caller could present. */
async function keyOf(kind: string, token: string): Promise<string> {
  return `${kind}:${base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(token))))}`;
}

/** A bearer secret: a kind prefix and 32 random bytes. */
const randomSecret = (prefix: string) => `${prefix}${randomToken()}`;

/**
 * Opaque access and refresh tokens kept in the authorization store. Refresh tokens rotate on every
 * use; presenting one that was already used (a stolen copy, or the legitimate one after a thief
 * used it) revokes the whole family, access tokens included (OAuth 2.1 section 4.3.1).
 */
export class Tokens {
  private readonly accessTtl: number;
  private readonly refreshTtl: number;

  constructor(
    private readonly store: AuthorizationStore,
    lifetimes: TokenLifetimes,
  ) {
    this.accessTtl = lifetimes.accessTokenTtlMs ?? 3600_000;
    this.refreshTtl = lifetimes.refreshTokenTtlMs ?? 30 * 24 * 3600_000;
  }

  async issue(grant: Grant): Promise<IssuedTokens> {
    const access = randomSecret('mat_');
    const refresh = randomSecret('mrt_');
    const expiresAt = Date.now() + this.accessTtl;
    await this.store.set(
      await keyOf('at', access),
      JSON.stringify({ ...grant, exp: expiresAt }),
      this.accessTtl,
    );
    await this.store.set(await keyOf('rt', refresh), JSON.stringify(grant), this.refreshTtl);
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: Math.floor(this.accessTtl / 1000),
      refresh_token: refresh,
      ...(grant.scope ? { scope: grant.scope } : {}),
    };
  }

  /** Redeems a refresh token once: new tokens for the same grant, narrowed to `scope` if given. */
  async refresh(
    token: string,
    clientId: string,
    scope: string | null,
    resource: string | null,
  ): Promise<IssuedTokens> {
    const key = await keyOf('rt', token);
    const stored = await this.store.take(key);
    if (!stored) {
      const family = await this.store.get(`${key}:used`);
      if (family) await this.revokeFamily(family);
      throw new OAuthError('invalid_grant', 'the refresh token is unknown, expired or already used');
    }
    const grant = JSON.parse(stored) as Grant;
    if (await this.isRevoked(grant.family)) throw new OAuthError('invalid_grant', 'the grant was revoked');
    if (grant.clientId !== clientId) {
      await this.revokeFamily(grant.family);
      throw new OAuthError('invalid_grant', 'the refresh token belongs to another client');
    }
    await this.store.set(`${key}:used`, grant.family, this.refreshTtl);
    if (resource !== null && resource !== grant.resource)
      throw new OAuthError('invalid_target', 'resource does not match the original grant');
    let narrowed = grant.scope;
    if (scope !== null) {
      const granted = new Set(grant.scope.split(' ').filter(Boolean));
      const asked = scope.split(' ').filter(Boolean);
      if (asked.some((s) => !granted.has(s)))
        throw new OAuthError('invalid_scope', 'a refresh cannot ask for scopes beyond the original grant');
      narrowed = asked.join(' ');
    }
    return this.issue({ ...grant, scope: narrowed });
  }

  /** RFC 7009: forgets the token; a refresh token takes its whole family with it. */
  async revoke(token: string, clientId: string): Promise<void> {
    for (const kind of ['rt', 'at']) {
      const key = await keyOf(kind, token);
      const stored = await this.store.get(key);
      if (!stored) continue;
      const grant = JSON.parse(stored) as Grant;
      if (grant.clientId !== clientId) return; // RFC 7009 2.1: not this client's token, nothing happens
      await this.store.delete(key);
      if (kind === 'rt') await this.revokeFamily(grant.family);
      return;
    }
  }

  async revokeFamily(family: string): Promise<void> {
    await this.store.set(`family:${family}`, 'revoked', this.refreshTtl);
  }

  private async isRevoked(family: string): Promise<boolean> {
    return (await this.store.get(`family:${family}`)) !== undefined;
  }

  /** Authenticates requests to the resource `resource` that carry one of these access tokens. */
  provider(resource: string, roles?: (grant: Grant) => string[]): AuthProvider {
    return {
      authenticate: async (credential) => {
        if (!credential.startsWith('mat_')) return undefined;
        const stored = await this.store.get(await keyOf('at', credential));
        if (!stored)
          throw new AuthFailure('invalid_token', 'the access token is unknown, expired or revoked');
        const grant = JSON.parse(stored) as Grant & { exp: number };
        if (grant.exp <= Date.now()) throw new AuthFailure('invalid_token', 'the access token has expired');
        if (grant.resource !== resource)
          throw new AuthFailure('invalid_token', 'the access token was issued for another resource');
        if (await this.isRevoked(grant.family))
          throw new AuthFailure('invalid_token', 'the access token was revoked');
        const principal: Principal = {
          subject: grant.subject,
          clientId: grant.clientId,
          scopes: grant.scope.split(' ').filter(Boolean),
          roles: roles?.(grant) ?? [],
          ...(grant.claims ? { claims: grant.claims } : {}),
          expiresAt: Math.floor(grant.exp / 1000),
          method: 'oauth',
        };
        return principal;
      },
    };
  }
}

export { keyOf, randomSecret };

import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { Principal } from '../../engine/principal.js';
import { AuthFailure, type AuthProvider } from '../provider.js';
import { TokenCache, type TokenCacheOptions } from '../token-cache.js';

export interface JwtProviderOptions {
  /** The authorization server's issuer identifier; `iss` must equal it. */
  issuer: string;
  /** This resource (RFC 8707): `aud` must contain it. Usually the same URL as `bearerAuth`'s `resource`. */
  audience: string | string[];
  /** Where the issuer publishes its keys (its metadata's `jwks_uri`). */
  jwksUrl?: string;
  /** Or the keys themselves. */
  jwks?: JSONWebKeySet;
  /**
   * Signature algorithms accepted. Default: RS256, PS256, ES256, ES384, EdDSA. Symmetric (HS*)
   * algorithms are refused: a public key must never verify an HMAC (key confusion).
   */
  algorithms?: string[];
  /** Clock skew allowed on `exp` and `nbf`. Default 30 s, at most 300 s. */
  clockToleranceSeconds?: number;
  /** Required `typ` header, such as `at+jwt` (RFC 9068). Default: not checked. */
  typ?: string;
  /** Verified tokens are cached (never past their `exp`). Default on; false to verify every time. */
  cache?: TokenCacheOptions | false;
  /** Least time between two JWKS fetches for an unknown `kid` (key rotation). Default 30 s. */
  jwksRefetchMs?: number;
  /** Roles from the token's claims. Default: a `roles` claim that is an array of strings. */
  roles?: (claims: JWTPayload) => string[];
}

const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Why jose refused a token, in words a client can act on; anything else means "could not check". */
function failureOf(error: unknown): AuthFailure {
  if (error instanceof errors.JWTExpired) return new AuthFailure('invalid_token', 'the token expired');
  if (error instanceof errors.JWTClaimValidationFailed)
    return new AuthFailure(
      'invalid_token',
      `the token's ${error.claim} claim is not accepted (${error.reason})`,
    );
  if (error instanceof errors.JOSEAlgNotAllowed)
    return new AuthFailure('invalid_token', "the token's signature algorithm is not accepted");
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new AuthFailure('invalid_token', "the token's signature does not verify");
  if (error instanceof errors.JWKSNoMatchingKey)
    return new AuthFailure('invalid_token', 'no key of the issuer matches the token');
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  )
    return new AuthFailure('invalid_token', 'the token is malformed');
  return new AuthFailure('unavailable', "the issuer's keys could not be fetched");
}

/**
 * OAuth access tokens as JWTs: the signature against the issuer's JWKS (rotation by `kid`, with a
 * bounded refetch rate), `iss`, `aud` (this resource), `exp`/`nbf` with a bounded skew, and an
 * algorithm allow-list. Credentials that are not JWTs are left to other providers (`anyOf`).
 */
export function jwtProvider(options: JwtProviderOptions): AuthProvider {
  const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
  const symmetric = algorithms.filter((a) => /^HS/i.test(a) || a === 'none');
  if (symmetric.length > 0)
    throw new TypeError(
      `jwtProvider: ${symmetric.join(', ')} cannot be accepted: only public-key algorithms`,
    );
  const skew = Math.min(options.clockToleranceSeconds ?? 30, 300);
  let keys: JWTVerifyGetKey;
  if (options.jwks) keys = createLocalJWKSet(options.jwks);
  else if (options.jwksUrl)
    keys = createRemoteJWKSet(new URL(options.jwksUrl), {
      cooldownDuration: options.jwksRefetchMs ?? 30_000,
      timeoutDuration: 5000,
    });
  else throw new TypeError('jwtProvider: give jwksUrl (the issuer metadata jwks_uri) or jwks');
  const cache = options.cache === false ? undefined : new TokenCache(options.cache);
  const rolesOf =
    options.roles ??
    ((claims: JWTPayload) =>
      Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : []);

  async function verify(token: string): Promise<Principal> {
    const { payload } = await jwtVerify(token, keys, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms,
      clockTolerance: skew,
      requiredClaims: ['exp', 'sub'],
      ...(options.typ ? { typ: options.typ } : {}),
    });
    const scope = typeof payload.scope === 'string' ? payload.scope : '';
    const clientId =
      typeof payload.client_id === 'string' ? payload.client_id : (payload.azp as string | undefined);
    return {
      subject: String(payload.sub),
      scopes: scope.split(' ').filter(Boolean),
      roles: rolesOf(payload),
      claims: payload,
      method: 'jwt',
      ...(typeof clientId === 'string' ? { clientId } : {}),
      ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp } : {}),
    };
  }

  return {
    peek(credential) {
      const known = cache?.get(credential);
      return known && 'principal' in known ? known.principal : undefined;
    },
    async authenticate(credential) {
      // A token seen before is answered from the cache, before any parsing.
      const known = cache?.get(credential);
      if (known) {
        if ('principal' in known) return known.principal;
        throw known.failure;
      }
      if (!JWT_SHAPE.test(credential)) return undefined;
      const checked = (token: string) =>
        verify(token).catch((error: unknown) => {
          throw failureOf(error);
        });
      return cache ? cache.verdict(credential, checked) : checked(credential);
    },
  };
}

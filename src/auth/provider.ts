import type { Principal } from '../engine/principal.js';

/**
 * Why a credential was refused. `invalid_token` covers expired, forged, revoked or unknown
 * credentials (RFC 6750); `unavailable` means the provider could not decide (its authorization
 * server or store is down): the request is refused, never let through.
 */
export type AuthFailureReason = 'invalid_token' | 'unavailable';

export class AuthFailure extends Error {
  override readonly name = 'AuthFailure';
  constructor(
    readonly reason: AuthFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Turns a presented credential into a principal. `undefined`: the credential is not this
 * provider's kind (another provider may take it); a thrown `AuthFailure`: it is, and it is refused.
 */
export interface AuthProvider {
  authenticate(credential: string): Promise<Principal | undefined>;
  /**
   * The principal of a credential this provider verified recently, at once and without waiting,
   * or undefined (then `authenticate` decides). Lets a hot path skip the asynchronous one.
   */
  peek?(credential: string): Principal | undefined;
}

/** Asks each provider in turn; the first that recognizes the credential decides. */
export function anyOf(...providers: AuthProvider[]): AuthProvider {
  return {
    peek(credential) {
      for (const provider of providers) {
        const principal = provider.peek?.(credential);
        if (principal) return principal;
      }
      return undefined;
    },
    async authenticate(credential) {
      for (const provider of providers) {
        const principal = await provider.authenticate(credential);
        if (principal) return principal;
      }
      return undefined;
    },
  };
}

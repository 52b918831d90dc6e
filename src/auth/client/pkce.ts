import { base64url } from '../../engine/base64url.js';

/** A fresh random value for `state` or a PKCE verifier (32 bytes, base64url). */
export function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** PKCE S256 (RFC 7636): the challenge is the base64url SHA-256 of the verifier. */
export async function pkceChallenge(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

import { base64url } from '../../engine/base64url.js';

const encoder = new TextEncoder();
const encodePart = (value: object) => base64url(encoder.encode(JSON.stringify(value)));

/** RFC 9449 section 4.2: the URL a proof names is the request's, without query or fragment. */
function htuOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * A DPoP key (RFC 9449): an ES256 pair made once per client, whose private half never leaves
 * Web Crypto. Each proof is fresh (new `jti`, current `iat`), names one method and URL, and, once
 * a token is held, its hash (`ath`). Servers that want a nonce get the last one they sent back.
 */
export class DpopKey {
  private readonly pair: Promise<CryptoKeyPair>;
  private jwk?: JsonWebKey;
  /** The last nonce each origin asked for (the authorization server and the MCP server differ). */
  private readonly nonces = new Map<string, string>();

  constructor() {
    this.pair = crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ]) as Promise<CryptoKeyPair>;
  }

  /** Remembers the nonce a server sent (`DPoP-Nonce`) for the next proof to that origin. */
  rememberNonce(url: string, nonce: string | null | undefined): boolean {
    if (!nonce || nonce.length > 1024) return false;
    const origin = new URL(url).origin;
    const changed = this.nonces.get(origin) !== nonce;
    if (this.nonces.size >= 64 && !this.nonces.has(origin)) this.nonces.clear();
    this.nonces.set(origin, nonce);
    return changed;
  }

  async proof(method: string, url: string, accessToken?: string): Promise<string> {
    const { privateKey, publicKey } = await this.pair;
    if (!this.jwk) {
      const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', publicKey);
      this.jwk = { kty, crv, x, y };
    }
    const nonce = this.nonces.get(new URL(url).origin);
    const claims = {
      jti: crypto.randomUUID(),
      htm: method,
      htu: htuOf(url),
      iat: Math.floor(Date.now() / 1000),
      ...(accessToken
        ? {
            ath: base64url(
              new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(accessToken))),
            ),
          }
        : {}),
      ...(nonce ? { nonce } : {}),
    };
    const input = `${encodePart({ typ: 'dpop+jwt', alg: 'ES256', jwk: this.jwk })}.${encodePart(claims)}`;
    const signature = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      privateKey,
      encoder.encode(input),
    );
    return `${input}.${base64url(new Uint8Array(signature))}`;
  }
}

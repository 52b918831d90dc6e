import { base64url, fromBase64url } from '../../engine/base64url.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Authenticated encryption (AES-256-GCM) of small JSON values that travel through the browser:
 * the pending authorization carried in the upstream `state`, the consent cookie. Nothing is stored
 * for them, so a flood of abandoned sign-ins costs no memory; each value carries its own expiry.
 */
export class Sealer {
  private readonly key: Promise<CryptoKey>;
  private readonly hmac: Promise<CryptoKey>;

  constructor(secret: Uint8Array) {
    this.key = crypto.subtle
      .digest('SHA-256', secret as BufferSource)
      .then((digest) => crypto.subtle.importKey('raw', digest, 'AES-GCM', false, ['encrypt', 'decrypt']));
    this.hmac = crypto.subtle.importKey(
      'raw',
      secret as BufferSource,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
  }

  /** A value derived from `text` and the secret (HMAC-SHA-256, base64url): a dynamic client's secret. */
  async derive(text: string): Promise<string> {
    return base64url(new Uint8Array(await crypto.subtle.sign('HMAC', await this.hmac, encoder.encode(text))));
  }

  async seal(purpose: string, value: object, ttlMs: number): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = encoder.encode(JSON.stringify({ v: value, exp: Date.now() + ttlMs }));
    const cipher = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(purpose) },
      await this.key,
      plain,
    );
    return `${base64url(iv)}.${base64url(new Uint8Array(cipher))}`;
  }

  /** The value, or undefined when forged, altered, sealed for another purpose, or expired. */
  async open<T>(purpose: string, sealed: string | null | undefined): Promise<T | undefined> {
    if (!sealed || sealed.length > 8192) return undefined;
    const [iv, cipher] = sealed.split('.');
    if (!iv || !cipher) return undefined;
    try {
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64url(iv) as BufferSource, additionalData: encoder.encode(purpose) },
        await this.key,
        fromBase64url(cipher) as BufferSource,
      );
      const { v, exp } = JSON.parse(decoder.decode(plain)) as { v: T; exp: number };
      return exp > Date.now() ? v : undefined;
    } catch {
      return undefined;
    }
  }
}

import { base64url } from '../../engine/base64url.js';

const ALGORITHMS = {
  ES256: { import: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
  RS256: { import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5' } },
} as const;

/**
 * A JWT signer for client assertions (RFC 7523) from a PKCS #8 PEM key, on Web Crypto: ES256 or
 * RS256. Web Crypto's ECDSA signature is already the `r || s` form JWS wants.
 */
export function jwtSigner(
  pem: string,
  alg: keyof typeof ALGORITHMS = 'ES256',
  keyId?: string,
): (claims: Record<string, unknown>) => Promise<string> {
  const der = Uint8Array.from(
    atob(pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '')),
    (c) => c.charCodeAt(0),
  );
  const key = crypto.subtle.importKey('pkcs8', der as BufferSource, ALGORITHMS[alg].import, false, ['sign']);
  const encoder = new TextEncoder();
  return async (claims) => {
    const header = base64url(
      encoder.encode(JSON.stringify({ alg, typ: 'JWT', ...(keyId ? { kid: keyId } : {}) })),
    );
    const payload = base64url(encoder.encode(JSON.stringify(claims)));
    const signature = await crypto.subtle.sign(
      ALGORITHMS[alg].sign,
      await key,
      encoder.encode(`${header}.${payload}`),
    );
    return `${header}.${payload}.${base64url(new Uint8Array(signature))}`;
  };
}

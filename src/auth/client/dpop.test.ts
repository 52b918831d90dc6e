import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { base64url } from '../../engine/base64url.js';
import { DpopKey } from './dpop.js';

async function verified(proof: string) {
  const header = decodeProtectedHeader(proof);
  const { payload } = await jwtVerify(proof, await importJWK(header.jwk as JWK, 'ES256'));
  return { header, payload };
}

describe('DpopKey', () => {
  it('signs a fresh proof per request that names the method, the URL without its query, and the token', async () => {
    const key = new DpopKey();
    const first = await verified(await key.proof('POST', 'https://mcp.example.com/mcp?x=1#f', 'tok'));
    const second = await verified(await key.proof('GET', 'https://mcp.example.com/mcp'));
    expect(first.header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256' } });
    expect(first.header.jwk).not.toHaveProperty('d');
    const ath = base64url(
      new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('tok'))),
    );
    expect(first.payload).toMatchObject({ htm: 'POST', htu: 'https://mcp.example.com/mcp', ath });
    expect(second.payload).toMatchObject({ htm: 'GET', htu: 'https://mcp.example.com/mcp' });
    expect(second.payload).not.toHaveProperty('ath');
    expect(first.payload.jti).not.toBe(second.payload.jti);
    // One key for the client's life: both proofs carry the same thumbprint (the token's cnf.jkt).
    expect(await calculateJwkThumbprint(first.header.jwk as JWK)).toBe(
      await calculateJwkThumbprint(second.header.jwk as JWK),
    );
  });

  it('puts the nonce a server sent into later proofs to that origin only', async () => {
    const key = new DpopKey();
    expect(key.rememberNonce('https://as.example.com/token', 'n-1')).toBe(true);
    expect(key.rememberNonce('https://as.example.com/token', 'n-1')).toBe(false); // nothing new: no retry
    expect((await verified(await key.proof('POST', 'https://as.example.com/token'))).payload.nonce).toBe(
      'n-1',
    );
    expect(
      (await verified(await key.proof('POST', 'https://mcp.example.com/mcp'))).payload,
    ).not.toHaveProperty('nonce');
    expect(key.rememberNonce('https://as.example.com/token', 'x'.repeat(2000))).toBe(false);
  });
});

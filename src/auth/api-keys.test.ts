import { describe, expect, it } from 'vitest';
import type { Principal } from '../engine/principal.js';
import { ApiKeys } from './api-keys.js';
import { TokenCache } from './token-cache.js';

describe('API keys', () => {
  it('keeps only an HMAC of the secret, and knows a key made with the same pepper', async () => {
    const pepper = crypto.getRandomValues(new Uint8Array(32));
    const stored = new Map<string, unknown>();
    const store = {
      get: async (id: string) => stored.get(id) as never,
      put: async (r: { id: string }) => void stored.set(r.id, r),
    };
    const { key, record } = await new ApiKeys({ pepper, store }).create({ subject: 'bot', scopes: ['a'] });
    expect(key).toMatch(/^mk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(stored.get(record.id))).not.toContain(key.slice(20));
    // Another process with the same pepper and store accepts it; another pepper does not.
    expect(await new ApiKeys({ pepper, store }).provider.authenticate(key)).toMatchObject({
      subject: 'bot',
      scopes: ['a'],
    });
    await expect(new ApiKeys({ store }).provider.authenticate(key)).rejects.toThrow('unknown API key');
  });

  it('refuses expired, malformed and altered keys, and leaves other credentials to other providers', async () => {
    const keys = new ApiKeys();
    const expired = (await keys.create({ subject: 'x', expiresAt: Math.floor(Date.now() / 1000) - 1 })).key;
    await expect(keys.provider.authenticate(expired)).rejects.toThrow('the API key expired');
    await expect(keys.provider.authenticate('mk_short')).rejects.toThrow('malformed API key');
    const { key } = await keys.create({ subject: 'y' });
    const altered = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    await expect(keys.provider.authenticate(altered)).rejects.toThrow('unknown API key');
    expect(await keys.provider.authenticate('eyJhbGciOi.x.y')).toBeUndefined();
  });

  it('refuses a pepper shorter than 32 bytes, and more keys than maxKeys', async () => {
    expect(() => new ApiKeys({ pepper: new Uint8Array(16) })).toThrow('at least 32 bytes');
    const keys = new ApiKeys({ maxKeys: 1 });
    await keys.create({ subject: 'one' });
    await expect(keys.create({ subject: 'two' })).rejects.toThrow('Too many API keys (maxKeys: 1)');
  });
});

describe('token cache', () => {
  const principal = (expiresAt?: number): Principal => ({
    subject: 's',
    scopes: [],
    roles: [],
    method: 'jwt',
    ...(expiresAt ? { expiresAt } : {}),
  });

  it('never keeps a token past its expiry, nor past its TTL', () => {
    const cache = new TokenCache({ ttlMs: 2_000_000 });
    cache.remember('t', principal(1_000), 0);
    expect(cache.get('t', 999_999)).toBeDefined();
    expect(cache.get('t', 1_000_000)).toBeUndefined();
    cache.remember('u', principal(), 0);
    expect(cache.get('u', 1_999_999)).toBeDefined();
    expect(cache.get('u', 2_000_000)).toBeUndefined();
  });

  it('is bounded in bytes, dropping the least recently used', () => {
    const cache = new TokenCache({ maxBytes: 10 });
    cache.remember('aaaa', principal(), 0);
    cache.remember('bbbb', principal(), 0);
    cache.get('aaaa', 1);
    cache.remember('cccc', principal(), 0);
    expect(cache.size).toBe(2);
    expect(cache.get('bbbb', 1)).toBeUndefined();
    expect(cache.get('aaaa', 1)).toBeDefined();
  });
});

import type { Principal } from '../engine/principal.js';
import { AuthFailure } from './provider.js';

export interface TokenCacheOptions {
  /** Longest a verified token is trusted without checking again. Default 60 s; never past its `exp`. */
  ttlMs?: number;
  /** How long a refused token stays refused without asking again. Default 5 s. */
  negativeTtlMs?: number;
  /** Bytes of tokens kept (their length), least recently used dropped first. Default 8 MiB. */
  maxBytes?: number;
}

type Entry = { principal?: Principal; failure?: Error; until: number; bytes: number; seq: number };

/**
 * Verified tokens and recent refusals, so that a hot path does not verify or introspect the same
 * token on every request. Bounded in bytes, least recently used first; an entry never outlives
 * the token's own expiry.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** Insertion order, to tell an old entry from a recent one without moving it. */
  private seq = 0;
  private lastToken?: string;
  private lastEntry?: Entry;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxBytes: number;

  constructor(options: TokenCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 5000;
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  }

  /** The cached verdict: a principal, a refusal to throw again, or undefined when unknown. */
  get(token: string, now = Date.now()): { principal: Principal } | { failure: Error } | undefined {
    // The last token asked for, compared as a string: a client sends the same one again and again,
    // and a long header value is cheaper to compare than to hash for the map.
    const entry = token === this.lastToken ? this.lastEntry : this.entries.get(token);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.drop(token, entry);
      return undefined;
    }
    this.lastToken = token;
    this.lastEntry = entry;
    // Most recently used last; moved only once it is in the older half, so that a hot token is
    // not re-inserted on every request (that cost more than the rest of a cached check).
    if (this.seq - entry.seq >= this.entries.size / 2) {
      this.entries.delete(token);
      entry.seq = ++this.seq;
      this.entries.set(token, entry);
    }
    return entry.principal ? { principal: entry.principal } : { failure: entry.failure as Error };
  }

  remember(token: string, principal: Principal, now = Date.now()): void {
    const expires = principal.expiresAt !== undefined ? principal.expiresAt * 1000 : Number.POSITIVE_INFINITY;
    this.put(token, { principal, until: Math.min(now + this.ttlMs, expires), bytes: token.length, seq: 0 });
  }

  refuse(token: string, failure: Error, now = Date.now()): void {
    this.put(token, { failure, until: now + this.negativeTtlMs, bytes: token.length, seq: 0 });
  }

  /**
   * The cached verdict on `token`, or `verify`'s, remembered: a principal until the cache's TTL or
   * the token's expiry, a refusal (`invalid_token`) briefly. An outage (`unavailable`) is never
   * remembered, so that recovery is seen at once.
   */
  async verdict(token: string, verify: (token: string) => Promise<Principal>): Promise<Principal> {
    const cached = this.get(token);
    if (cached && 'principal' in cached) return cached.principal;
    if (cached) throw cached.failure;
    try {
      const principal = await verify(token);
      this.remember(token, principal);
      return principal;
    } catch (error) {
      if (error instanceof AuthFailure && error.reason === 'invalid_token') this.refuse(token, error);
      throw error;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private put(token: string, entry: Entry): void {
    if (entry.bytes > this.maxBytes) return;
    const old = this.entries.get(token);
    if (old) this.drop(token, old);
    entry.seq = ++this.seq;
    this.entries.set(token, entry);
    this.bytes += entry.bytes;
    for (const [key, oldest] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(key, oldest);
    }
  }

  private drop(token: string, entry: Entry): void {
    this.entries.delete(token);
    this.bytes -= entry.bytes;
    if (this.lastEntry === entry) this.lastToken = this.lastEntry = undefined;
  }
}

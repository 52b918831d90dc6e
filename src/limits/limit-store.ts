/** One token bucket as the store sees it: how much it holds and how fast it refills. */
export interface Bucket {
  key: string;
  /** Tokens when full (the burst). */
  capacity: number;
  /** Tokens added per millisecond. */
  refillPerMs: number;
}

/** What a store decided for one request. */
export interface Decision {
  allowed: boolean;
  /** When a refused request could succeed, in ms (0 when allowed). */
  retryAfterMs: number;
  /** Whole tokens left in the emptiest bucket after this decision. */
  remaining: number;
  /** Refused: the index of the bucket that asks for the longest wait. */
  limitedBy?: number;
}

/**
 * Where token buckets live. `consume` takes `cost` tokens from every bucket or from none (all of a
 * request's limits must allow it), atomically, in one step: one round trip on a shared store.
 */
export interface LimitStore {
  consume(buckets: readonly Bucket[], cost: number): Promise<Decision>;
}

interface State {
  tokens: number;
  at: number;
}

export interface MemoryLimitStoreOptions {
  /** Buckets held at once (each about 100 bytes plus its key). Default 50,000. */
  maxKeys?: number;
}

/** Keys are capped so that a long subject cannot make one bucket large. */
const MAX_KEY = 256;

/**
 * Token buckets in this process, bounded by `maxKeys`. A refilled bucket is the same as none, so
 * when the store is full the least recently used one is dropped.
 */
export class MemoryLimitStore implements LimitStore {
  private readonly buckets = new Map<string, State>();
  private readonly maxKeys: number;

  constructor(options: MemoryLimitStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? 50_000;
  }

  get size(): number {
    return this.buckets.size;
  }

  async consume(buckets: readonly Bucket[], cost: number): Promise<Decision> {
    const now = Date.now();
    const levels = buckets.map((bucket) => {
      const key = bucket.key.length > MAX_KEY ? bucket.key.slice(0, MAX_KEY) : bucket.key;
      const state = this.buckets.get(key);
      const tokens = state
        ? Math.min(bucket.capacity, state.tokens + (now - state.at) * bucket.refillPerMs)
        : bucket.capacity;
      return { key, bucket, tokens };
    });
    let retryAfterMs = 0;
    let limitedBy: number | undefined;
    levels.forEach(({ bucket, tokens }, i) => {
      const wait = tokens < cost ? Math.ceil((cost - tokens) / bucket.refillPerMs) : 0;
      if (wait > retryAfterMs) [retryAfterMs, limitedBy] = [wait, i];
    });
    const allowed = limitedBy === undefined;
    let remaining = Number.POSITIVE_INFINITY;
    for (const { key, tokens } of levels) {
      const left = allowed ? tokens - cost : tokens;
      remaining = Math.min(remaining, left);
      this.buckets.delete(key); // re-inserted last: the Map's order is recency
      this.buckets.set(key, { tokens: left, at: now });
    }
    // Full: the least recently used bucket goes (O(1)); it has most likely refilled anyway.
    while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    return {
      allowed,
      retryAfterMs,
      remaining: Math.max(0, Math.floor(remaining)),
      ...(limitedBy !== undefined ? { limitedBy } : {}),
    };
  }
}

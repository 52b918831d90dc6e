/**
 * Where the authorization server keeps its state: registered clients, authorization codes, access
 * and refresh tokens. A key-value store with expiry; `take` reads and deletes in one step, so a
 * code or a refresh token is redeemed once even when two requests race (Redis: GETDEL).
 */
export interface AuthorizationStore {
  get(key: string): Promise<string | undefined>;
  /** Stores `value` until `ttlMs` from now. Throws when the store is full. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Returns the value and deletes it, atomically. */
  take(key: string): Promise<string | undefined>;
  delete(key: string): Promise<void>;
}

export interface MemoryAuthorizationStoreOptions {
  /** Bytes of keys and values held at most. Default 64 MiB. */
  maxBytes?: number;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * The default store: one process, bounded in bytes. When full, expired entries are dropped; if
 * that is not enough the write is refused (the caller answers `temporarily_unavailable`) rather
 * than evicting someone's live token.
 */
export class MemoryAuthorizationStore implements AuthorizationStore {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly maxBytes: number;

  constructor(options: MemoryAuthorizationStoreOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  /** Bytes held now (keys and values, counted as UTF-16 code units x 2). */
  get size(): number {
    return this.bytes;
  }

  async get(key: string) {
    return this.live(key)?.value;
  }

  async set(key: string, value: string, ttlMs: number) {
    const cost = (key.length + value.length) * 2;
    const old = this.entries.get(key);
    const growth = cost - (old ? (key.length + old.value.length) * 2 : 0);
    if (this.bytes + growth > this.maxBytes) {
      this.sweep();
      if (this.bytes + growth > this.maxBytes)
        throw new Error(
          `The authorization store is full (maxBytes: ${this.maxBytes}); raise maxBytes or use a shared store`,
        );
    }
    this.bytes += growth;
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
  }

  async take(key: string) {
    const entry = this.live(key);
    if (entry) this.remove(key, entry);
    return entry?.value;
  }

  async delete(key: string) {
    const entry = this.entries.get(key);
    if (entry) this.remove(key, entry);
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.remove(key, entry);
      return undefined;
    }
    return entry;
  }

  private remove(key: string, entry: Entry) {
    this.entries.delete(key);
    this.bytes -= (key.length + entry.value.length) * 2;
  }

  private sweep() {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.remove(key, entry);
  }
}

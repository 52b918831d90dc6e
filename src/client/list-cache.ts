/**
 * Full list results kept until they expire (a modern `ttlMs`) or the server says the list changed.
 * This cache belongs to one client, so `private` and `public` scopes may both be kept.
 */
export class ListCache {
  private readonly entries = new Map<string, { items: unknown[]; expires: number }>();

  get<T>(method: string, now = Date.now()): T[] | undefined {
    const entry = this.entries.get(method);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.entries.delete(method);
      return undefined;
    }
    return entry.items as T[];
  }

  /** Keeps a list for `lifetimeMs`; Infinity until invalidated, 0 not at all. */
  set(method: string, items: unknown[], lifetimeMs: number, now = Date.now()): void {
    if (lifetimeMs > 0) this.entries.set(method, { items, expires: now + lifetimeMs });
  }

  invalidate(method: string): void {
    this.entries.delete(method);
  }
}

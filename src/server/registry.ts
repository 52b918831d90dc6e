/**
 * An ordered registry. Insertion order is the list order, so `tools/list` and friends are
 * deterministic (2026-07-28 asks for a stable order). Every change calls `onChange`, which the
 * server coalesces into one list_changed notification.
 */
export class Registry<T> {
  private readonly items = new Map<string, T>();
  private cache?: T[];

  constructor(private readonly onChange: () => void) {}

  set(key: string, item: T): void {
    this.items.set(key, item);
    this.changed();
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  delete(key: string): boolean {
    const existed = this.items.delete(key);
    if (existed) this.changed();
    return existed;
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  get size(): number {
    return this.items.size;
  }

  /** The items in list order; an array shared until the next change. */
  list(): readonly T[] {
    this.cache ??= [...this.items.values()];
    return this.cache;
  }

  private changed(): void {
    this.cache = undefined;
    this.onChange();
  }
}

/**
 * Cancellation whose AbortSignal exists only once someone reads it: `new AbortController()` per
 * request was the second largest cost of the stdio hot path, and most handlers never look.
 */
export class LazyCancel {
  cancelled = false;
  private controller?: AbortController;
  private reason: unknown;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  cancel(reason: unknown): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/**
 * A value, or a native promise of it when it is any thenable (as `await` would take it). Hot paths
 * that skip `await` for values known at once use it, so that a caller's non-native promise (an
 * older library's, a hand-made thenable) is still waited for, never taken as the value itself.
 */
export function settled<T>(value: T | PromiseLike<T>): T | Promise<T> {
  if (value instanceof Promise) return value;
  const then = (value as { then?: unknown } | null | undefined)?.then;
  return typeof then === 'function' ? Promise.resolve(value) : (value as T);
}

/** A peer may not make us wait less than this: 0 would be a busy loop. */
const MIN_SUGGESTED_MS = 100;
/** Nor more: past 2^31 - 1 ms a timer fires at once, and ten minutes is patience enough. */
const MAX_SUGGESTED_MS = 10 * 60_000;

/** A wait the other side asked for (a task's `pollIntervalMs`, an SSE `retry`), within sane bounds. */
export function suggestedDelay(ms: number): number {
  return Math.min(MAX_SUGGESTED_MS, Math.max(MIN_SUGGESTED_MS, ms));
}

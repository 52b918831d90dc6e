/** A JSON object: not null, not an array. What params, `_meta` and list items must be. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

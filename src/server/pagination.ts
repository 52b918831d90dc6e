import { ErrorCode, McpError } from '../protocol/errors.js';

/**
 * Opaque cursors (basic/utilities/pagination). The cursor carries only an offset: a forged one can
 * at worst skip items the caller may list anyway, so it needs no signature.
 */
export function paginate<T>(
  items: readonly T[],
  cursor: unknown,
  pageSize: number,
): { page: T[]; nextCursor?: string } {
  let offset = 0;
  if (cursor !== undefined) {
    const parsed =
      typeof cursor === 'string' && /^o[0-9]{1,9}$/.test(cursor) ? Number(cursor.slice(1)) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed > items.length)
      throw new McpError(ErrorCode.InvalidParams, 'Invalid cursor');
    offset = parsed;
  }
  const end = offset + pageSize;
  return end < items.length
    ? { page: items.slice(offset, end), nextCursor: `o${end}` }
    : { page: items.slice(offset) };
}

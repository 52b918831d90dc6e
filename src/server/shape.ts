import { ErrorCode, McpError } from '../protocol/errors.js';
import type { RevisionFeatures } from '../protocol/revisions.js';
import type { CacheHint } from './resources.js';

/** 2026-07-28 caching: results of these methods carry ttlMs and cacheScope. */
export const CACHEABLE_METHODS = new Set([
  'server/discover',
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'prompts/list',
  'resources/read',
]);

/** Completes a result for the modern wire: resultType always, cache hints where the method is cacheable. */
export function shapeModern(
  method: string,
  result: Record<string, unknown>,
  cache: CacheHint,
): Record<string, unknown> {
  const shaped: Record<string, unknown> = { resultType: 'complete', ...result };
  if (CACHEABLE_METHODS.has(method)) {
    shaped.ttlMs ??= cache.ttlMs;
    shaped.cacheScope ??= cache.scope;
  }
  if (method === 'tools/list')
    shaped.tools = (result.tools as Record<string, unknown>[]).map(({ execution: _, ...tool }) => tool);
  return shaped;
}

const omit = (item: Record<string, unknown>, keys: readonly string[]) => {
  const copy = { ...item };
  for (const k of keys) delete copy[k];
  return copy;
};

/** Removes from a legacy result the fields its negotiated revision does not define. */
export function shapeLegacy(
  method: string,
  result: Record<string, unknown>,
  f: RevisionFeatures,
): Record<string, unknown> {
  const dropped = [
    ...(f.titles ? [] : ['title', 'outputSchema']),
    ...(f.icons ? [] : ['icons']),
    // 2025-11-25 task augmentation is not served: no tool advertises task support there.
    'execution',
    ...(f.toolAnnotations ? [] : ['annotations']),
  ];
  const listKey = LIST_KEYS[method];
  if (listKey) {
    return {
      ...result,
      [listKey]: (result[listKey] as Record<string, unknown>[]).map((item) => omit(item, dropped)),
    };
  }
  if (method === 'tools/call' && !f.structuredOutput && 'structuredContent' in result)
    return omit(result, ['structuredContent']);
  return result;
}

const LIST_KEYS: Record<string, string> = {
  'tools/list': 'tools',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
  'prompts/list': 'prompts',
};

/** Error codes that changed meaning between eras. */
export function shapeError(error: unknown, f: RevisionFeatures): unknown {
  if (
    error instanceof McpError &&
    error.code === ErrorCode.ResourceNotFound &&
    f.resourceNotFoundIsInvalidParams
  ) {
    return new McpError(ErrorCode.InvalidParams, error.message, error.data);
  }
  return error;
}

import { isModernRevision, type Revision } from '../protocol/revisions.js';
import { schemasFor } from '../protocol/schemas/index.js';
import { ClientError } from './errors.js';

/** The list each listing method returns, whose bad items are left out rather than refused. */
const LISTS: Readonly<Record<string, string>> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
  'tasks/list': 'tasks',
};

/**
 * Fields 2026-07-28 requires that the client does without: a result with no resultType is read as
 * complete (as the MRTR loop reads it), and cache hints are optional to the list cache. Leaving
 * them out is no reason to refuse a result; a wrong value still is.
 */
const MODERN_DEFAULTS = { resultType: 'complete', ttlMs: 0, cacheScope: 'private' };

interface Issue {
  path: PropertyKey[];
  message: string;
  /** An `invalid_union`: each alternative's own issues. */
  errors?: Issue[][];
}

/**
 * Holds a server's result to the negotiated revision's schema, so that what the typed calls
 * promise (`content` is an array, a prompt has `messages`) is true: a result that breaks it fails
 * with `invalid-result` instead of reaching the caller's code as a TypeError. A listing keeps its
 * good items and leaves out the others. Fields the schema does not name pass through untouched.
 */
export function checkResult(
  revision: Revision,
  method: string,
  result: Record<string, unknown>,
): Record<string, unknown> {
  const schema = schemasFor(revision).clientRequests[method]?.result;
  if (!schema) return result;
  const defaults = isModernRevision(revision) ? MODERN_DEFAULTS : undefined;
  let checked = schema.safeParse(defaults ? { ...defaults, ...result } : result);
  if (checked.success) return result;
  const key = LISTS[method];
  const items = key === undefined ? undefined : result[key];
  if (key !== undefined && Array.isArray(items)) {
    const bad = new Set<unknown>();
    for (const issue of checked.error.issues as Issue[])
      if (issue.path[0] === key && typeof issue.path[1] === 'number') bad.add(issue.path[1]);
    if (bad.size > 0) {
      const kept = { ...result, [key]: items.filter((_, i) => !bad.has(i)) };
      checked = schema.safeParse(defaults ? { ...defaults, ...kept } : kept);
      if (checked.success) return kept;
    }
  }
  throw new ClientError(
    'invalid-result',
    `The server's ${method} result does not fit revision ${revision}: ${summarize(checked.error.issues as Issue[])}`,
  );
}

/** A union's issues are those of the alternative that came closest (the first, on a tie). */
function flatten(issues: Issue[]): Issue[] {
  return issues.flatMap((issue) => {
    if (!issue.errors?.length) return [issue];
    const closest = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
    return flatten(closest.map((i) => ({ ...i, path: [...issue.path, ...i.path] })));
  });
}

function summarize(all: Issue[]): string {
  const issues = flatten(all);
  const shown = issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message));
  return issues.length > 5 ? `${shown.join('; ')}; and ${issues.length - 5} more` : shown.join('; ');
}

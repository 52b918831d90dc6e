/**
 * MCP protocol revisions. Two eras: the legacy era negotiates a revision once with `initialize`;
 * the modern era names it on every request in `_meta`.
 */
export const LEGACY_REVISIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;
export const MODERN_REVISIONS = ['2026-07-28'] as const;

export type LegacyRevision = (typeof LEGACY_REVISIONS)[number];
export type ModernRevision = (typeof MODERN_REVISIONS)[number];
export type Revision = LegacyRevision | ModernRevision;
export type Era = 'legacy' | 'modern';

export const LATEST_LEGACY_REVISION: LegacyRevision = '2025-11-25';
export const LATEST_REVISION: ModernRevision = '2026-07-28';
/** Streamable HTTP: a request without MCP-Protocol-Version is taken as this revision. */
export const DEFAULT_HTTP_REVISION: LegacyRevision = '2025-03-26';

export function isLegacyRevision(v: unknown): v is LegacyRevision {
  return typeof v === 'string' && (LEGACY_REVISIONS as readonly string[]).includes(v);
}

export function isModernRevision(v: unknown): v is ModernRevision {
  return typeof v === 'string' && (MODERN_REVISIONS as readonly string[]).includes(v);
}

export function eraOf(revision: Revision): Era {
  return isModernRevision(revision) ? 'modern' : 'legacy';
}

/**
 * The era of one incoming request, decided here for every transport: modern when its `_meta`
 * names a protocol version (whatever it is: an unsupported one is refused by the modern path), or
 * over HTTP when the MCP-Protocol-Version header names a revision past the legacy ones.
 */
export function requestEra(metaVersion: unknown, headerVersion: string | null = null): Era {
  if (metaVersion !== undefined) return 'modern';
  return headerVersion !== null && !isLegacyRevision(headerVersion) && headerVersion > LATEST_LEGACY_REVISION
    ? 'modern'
    : 'legacy';
}

/** Revisions are ISO dates, so string order is chronological order. */
export function atLeast(revision: Revision, since: Revision): boolean {
  return revision >= since;
}

/** What a revision allows, so that no caller compares date strings for a feature. */
export function featuresOf(revision: Revision) {
  return {
    /** JSON-RPC batches: added in 2025-03-26, removed in 2025-06-18. */
    batches: revision === '2025-03-26',
    audioContent: atLeast(revision, '2025-03-26'),
    toolAnnotations: atLeast(revision, '2025-03-26'),
    progressMessage: atLeast(revision, '2025-03-26'),
    titles: atLeast(revision, '2025-06-18'),
    structuredOutput: atLeast(revision, '2025-06-18'),
    elicitation: atLeast(revision, '2025-06-18'),
    resourceLinks: atLeast(revision, '2025-06-18'),
    icons: atLeast(revision, '2025-11-25'),
    /** SEP-1303: invalid tool input is a tool execution error, not -32602. */
    inputErrorsAsToolResults: atLeast(revision, '2025-11-25'),
    resultType: isModernRevision(revision),
    cacheHints: isModernRevision(revision),
    /** 2026-07-28 answers a missing resource with -32602 instead of -32002. */
    resourceNotFoundIsInvalidParams: isModernRevision(revision),
  };
}

export type RevisionFeatures = ReturnType<typeof featuresOf>;

import type { AuthChallenge } from '../../transports/streamable-http/client.js';

/** The parameters of a `WWW-Authenticate: Bearer ...` or `DPoP ...` challenge (RFC 6750, 9449, 9728). */
export interface BearerChallenge {
  error?: string;
  scope?: string;
  resourceMetadata?: string;
}

/** Reads the Bearer (or DPoP) challenge out of a WWW-Authenticate header; quoted and token values alike. */
export function parseChallenge(header: string | null): BearerChallenge {
  if (!header) return {};
  const bearer = /(?:^|,\s*)(?:Bearer|DPoP)\b(.*)$/is.exec(header)?.[1] ?? '';
  const params: Record<string, string> = {};
  // A name starts a word: tried from inside one too, a long run of letters with no `=` was read
  // once per letter (16 KiB of header, the most a response brings: 0.5 s).
  for (const m of bearer.matchAll(/(?<![\w-])([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[(m[1] as string).toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return {
    ...(params.error ? { error: params.error } : {}),
    ...(params.scope ? { scope: params.scope } : {}),
    ...(params.resource_metadata ? { resourceMetadata: params.resource_metadata } : {}),
  };
}

/**
 * The Bearer challenge of a refusal an authorization can act on: a 401, or a 403 asking for more
 * scope (step-up). Any other 403 stands: undefined.
 */
export function actionableChallenge(challenge: AuthChallenge): BearerChallenge | undefined {
  const parsed = parseChallenge(challenge.wwwAuthenticate);
  return challenge.status === 403 && parsed.error !== 'insufficient_scope' ? undefined : parsed;
}

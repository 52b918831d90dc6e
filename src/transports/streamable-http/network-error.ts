/** What a failed `fetch` says happened: undici's "fetch failed" hides the reason in `cause`. */
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  CERT_HAS_EXPIRED: 'expired TLS certificate',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate for another host name',
};

export function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code) return `${REASONS[code] ?? String(cause?.message ?? 'network error')} (${code})`;
  // Refusals fetch makes itself ("bad port") have a message and no code.
  if (typeof cause?.message === 'string' && cause.message !== '') return `fetch refused it: ${cause.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Who is calling, once a request is authenticated: the same shape whatever proved it (an OAuth
 * access token, an API key, a development bearer token). Handlers read it as `ctx.auth`.
 */
export interface Principal {
  /** The caller's stable identity: the token's `sub`, or the API key's id. */
  readonly subject: string;
  /** The OAuth client the token was issued to, when known. */
  readonly clientId?: string;
  /** Granted scopes. */
  readonly scopes: readonly string[];
  /** Roles for access control (from the key, or mapped from scopes and claims). */
  readonly roles: readonly string[];
  /** The token's claims, or what the key carries. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** When the credential stops being valid, in epoch seconds. */
  readonly expiresAt?: number;
  /** What proved it: `jwt`, `introspection`, `api-key`, `bearer`... */
  readonly method: string;
}

/** One key per caller for bindings (sessions, tasks, request state): the method and the subject. */
export function principalKey(principal: Principal | undefined): string | undefined {
  return principal ? `${principal.method}:${principal.subject}` : undefined;
}

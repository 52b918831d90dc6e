import { readJsonUpTo } from '../../transports/streamable-http/bounded-read.js';
import type { DpopKey } from './dpop.js';

/** How a client proves itself at the token endpoint. */
export type ClientAuthentication =
  | { method: 'none'; clientId: string }
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; clientSecret: string }
  /** RFC 7523 `private_key_jwt`: a short-lived JWT signed with the client's key. */
  | {
      method: 'private_key_jwt';
      clientId: string;
      sign: (claims: Record<string, unknown>) => Promise<string>;
    };

export interface TokenAnswer {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt?: number;
  scope?: string;
  /** OpenID Connect: the ID token, when the grant returned one. */
  idToken?: string;
  /** `Bearer`, or `DPoP` for a token bound to the client's DPoP key. */
  tokenType?: string;
}

/** A token request (RFC 6749 section 3.2) with the client's authentication; the tokens it returns. */
export async function requestToken(
  doFetch: typeof fetch,
  endpoint: string,
  issuer: string,
  grant: Record<string, string>,
  client: ClientAuthentication,
  dpop?: DpopKey,
): Promise<TokenAnswer> {
  const body = new URLSearchParams(grant);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (client.method === 'client_secret_basic') {
    headers.authorization = `Basic ${btoa(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`)}`;
  } else {
    body.set('client_id', client.clientId);
    if (client.method === 'client_secret_post') body.set('client_secret', client.clientSecret);
    if (client.method === 'private_key_jwt') {
      const now = Math.floor(Date.now() / 1000);
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      body.set(
        'client_assertion',
        await client.sign({
          iss: client.clientId,
          sub: client.clientId,
          aud: issuer,
          iat: now,
          exp: now + 60,
          jti: crypto.randomUUID(),
        }),
      );
    }
  }
  type Answer = {
    access_token?: string;
    refresh_token?: string;
    expires_in?: number;
    scope?: string;
    id_token?: string;
    token_type?: string;
    error?: string;
    error_description?: string;
  };
  let response: Response;
  let answer: Answer;
  // With DPoP, a server that wants a nonce refuses the first proof and names one (RFC 9449 8).
  for (let attempt = 0; ; attempt++) {
    if (dpop) headers.dpop = await dpop.proof('POST', endpoint);
    response = await doFetch(endpoint, {
      method: 'POST',
      headers,
      body: body.toString(),
      signal: AbortSignal.timeout(30_000),
    });
    answer = (await readJsonUpTo(response).catch(() => ({}))) as Answer;
    if (
      dpop &&
      attempt === 0 &&
      answer.error === 'use_dpop_nonce' &&
      dpop.rememberNonce(endpoint, response.headers.get('dpop-nonce'))
    )
      continue;
    break;
  }
  if (!response.ok || !answer.access_token)
    throw new Error(
      `The token request failed: ${answer.error ?? `HTTP ${response.status}`}${answer.error_description ? ` (${answer.error_description})` : ''}`,
    );
  return {
    accessToken: answer.access_token,
    ...(answer.refresh_token ? { refreshToken: answer.refresh_token } : {}),
    ...(answer.expires_in !== undefined ? { expiresAt: Date.now() + answer.expires_in * 1000 } : {}),
    ...(answer.scope ? { scope: answer.scope } : {}),
    ...(answer.id_token ? { idToken: answer.id_token } : {}),
    ...(answer.token_type ? { tokenType: answer.token_type } : {}),
  };
}
